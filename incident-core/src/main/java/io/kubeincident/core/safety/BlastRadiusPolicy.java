package io.kubeincident.core.safety;

import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.Verdict;
import io.kubeincident.core.plan.BlastRadius;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;

/**
 * The target must belong to the incident: one of its resources, their owner chains, the nodes its pods run
 * on, or a ConfigMap/Secret they read. Anything else is denied whatever the confidence. The engine runs the
 * same check before any policy; this policy keeps it in the chain for hosts that assemble their own flow and
 * makes the reason visible next to the others.
 */
public final class BlastRadiusPolicy implements SafetyPolicy {

    public static final String ID = "blast-radius";

    /** Found through ServiceLoader; reads {@code safety.*}. */
    public static final class Provider implements SafetyPolicyProvider {
        @Override
        public SafetyPolicy create(ProviderContext c) {
            return new BlastRadiusPolicy();
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Verdict evaluate(ProposedAction action, SafetyContext context) {
        if (BlastRadius.contains(BlastRadius.of(context.incident(), context.cluster()), action.target())) {
            return Verdict.allow();
        }
        return Verdict.deny("target " + action.target() + " does not belong to incident " + context.incident().id()
                + " (its resources, owner chain, node and the config they read)");
    }
}

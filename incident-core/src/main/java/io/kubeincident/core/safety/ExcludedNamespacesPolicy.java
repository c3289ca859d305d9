package io.kubeincident.core.safety;

import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.Verdict;
import io.kubeincident.core.config.EngineConfig;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;

import java.util.List;

/** Never acts in an excluded namespace ({@code safety.excluded_namespaces}, the runtime's own namespace). */
public final class ExcludedNamespacesPolicy implements SafetyPolicy {
    private final List<String> excluded;

    public static final class Provider implements SafetyPolicyProvider {
        @Override
        public SafetyPolicy create(ProviderContext context) {
            return new ExcludedNamespacesPolicy(EngineConfig.from(context.config()).excludedNamespaces());
        }
    }

    public ExcludedNamespacesPolicy(List<String> excluded) {
        this.excluded = List.copyOf(excluded);
    }

    @Override
    public String id() {
        return "excluded-namespaces";
    }

    @Override
    public Verdict evaluate(ProposedAction action, SafetyContext context) {
        String ns = action.target().namespace();
        if (ns != null && excluded.contains(ns)) {
            return Verdict.deny("namespace " + ns + " is excluded (safety.excluded_namespaces)");
        }
        String incidentNs = context.incident().namespace();
        if (incidentNs != null && excluded.contains(incidentNs)) {
            return Verdict.deny("incident namespace " + incidentNs + " is excluded (safety.excluded_namespaces)");
        }
        return Verdict.allow();
    }
}

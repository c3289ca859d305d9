package io.kubeincident.core.safety;

import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.Verdict;
import io.kubeincident.spi.ActionHistory;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;

import java.time.Instant;
import java.util.Optional;

/**
 * A resource gets {@code safety.cooldown} of quiet after an action (or an undo) changed it, or while one runs: no other
 * action on the same target until then. Dry runs, skipped and failed actions changed nothing and do not count.
 */
public final class CooldownPolicy implements SafetyPolicy {

    public static final String ID = "cooldown";

    /** Found through ServiceLoader; reads {@code safety.*}. */
    public static final class Provider implements SafetyPolicyProvider {
        @Override
        public SafetyPolicy create(ProviderContext c) {
            return new CooldownPolicy(SafetyConfig.from(c.config()));
        }
    }

    private final SafetyConfig config;

    public CooldownPolicy(SafetyConfig config) {
        this.config = config;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Verdict evaluate(ProposedAction action, SafetyContext context) {
        if (config.cooldown().isZero()) return Verdict.allow();
        Instant now = context.clock().instant();
        Optional<ActionHistory.Entry> last = context.history().since(now.minus(config.cooldown())).stream()
                .filter(e -> !e.dryRun())
                .filter(e -> "applied".equals(e.result()) || "running".equals(e.result()) || "undone".equals(e.result()))
                .filter(e -> e.target().sameTarget(action.target()))
                .reduce((a, b) -> b);
        if (last.isEmpty()) return Verdict.allow();
        ActionHistory.Entry e = last.get();
        return Verdict.deny(action.target() + " was changed by " + e.actionType() + " at " + e.startedAt()
                + "; cooling down until " + e.startedAt().plus(config.cooldown()) + " (safety.cooldown=" + config.cooldown() + ")");
    }
}

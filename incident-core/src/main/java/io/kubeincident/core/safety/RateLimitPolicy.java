package io.kubeincident.core.safety;

import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.Verdict;
import io.kubeincident.spi.ActionHistory;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Rate limits over the engine's {@link ActionHistory}: actions running at once
 * ({@code safety.max_concurrent_actions}), actions started in the last hour globally
 * ({@code safety.max_actions_per_hour}) and in the target's namespace
 * ({@code safety.max_actions_per_hour_per_namespace}). Dry runs never count; skipped actions (nothing
 * changed) do not either.
 */
public final class RateLimitPolicy implements SafetyPolicy {

    public static final String ID = "rate-limits";

    /** Found through ServiceLoader; reads {@code safety.*}. */
    public static final class Provider implements SafetyPolicyProvider {
        @Override
        public SafetyPolicy create(ProviderContext c) {
            return new RateLimitPolicy(SafetyConfig.from(c.config()));
        }
    }

    private final SafetyConfig config;

    public RateLimitPolicy(SafetyConfig config) {
        this.config = config;
    }

    @Override
    public String id() {
        return ID;
    }

    static boolean counts(ActionHistory.Entry e) {
        return !e.dryRun() && !"skipped".equals(e.result()) && !"dry-run".equals(e.result());
    }

    @Override
    public Verdict evaluate(ProposedAction action, SafetyContext context) {
        List<String> problems = new ArrayList<>();
        ActionHistory history = context.history();
        int running = history.running();
        if (running >= config.maxConcurrentActions()) {
            problems.add(running + " actions are running; safety.max_concurrent_actions=" + config.maxConcurrentActions());
        }
        Instant hourAgo = context.clock().instant().minus(Duration.ofHours(1));
        List<ActionHistory.Entry> lastHour = history.since(hourAgo).stream().filter(RateLimitPolicy::counts).toList();
        if (lastHour.size() >= config.maxActionsPerHour()) {
            problems.add(lastHour.size() + " actions in the last hour; safety.max_actions_per_hour=" + config.maxActionsPerHour());
        }
        String ns = action.target().namespace() != null ? action.target().namespace() : context.incident().namespace();
        if (ns != null) {
            long inNs = lastHour.stream().filter(e -> Objects.equals(ns, e.target().namespace())).count();
            if (inNs >= config.maxActionsPerHourPerNamespace()) {
                problems.add(inNs + " actions in namespace " + ns + " in the last hour; safety.max_actions_per_hour_per_namespace="
                        + config.maxActionsPerHourPerNamespace());
            }
        }
        return problems.isEmpty() ? Verdict.allow() : new Verdict.Deny(problems);
    }
}

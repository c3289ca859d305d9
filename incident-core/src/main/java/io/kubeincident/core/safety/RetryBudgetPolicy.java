package io.kubeincident.core.safety;

import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.Verdict;
import io.kubeincident.spi.ActionHistory;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;

import java.util.List;

/**
 * The retry budget: at most {@code safety.retry_budget} actions per incident fingerprint within
 * {@code safety.retry_window}. The fingerprint survives pod restarts and re-opened incidents, so "restart,
 * did not help, restart again" ends here. Once spent, every further action is denied with a reason that
 * starts with {@value #ESCALATE}, which tells the engine to escalate the incident to a human instead of acting.
 */
public final class RetryBudgetPolicy implements SafetyPolicy {

    public static final String ID = "retry-budget";

    /** Found through ServiceLoader; reads {@code safety.*}. */
    public static final class Provider implements SafetyPolicyProvider {
        @Override
        public SafetyPolicy create(ProviderContext c) {
            return new RetryBudgetPolicy(SafetyConfig.from(c.config()));
        }
    }
    /** Reasons of a spent budget start with this (after the policy id the engine prefixes). */
    public static final String ESCALATE = "escalate:";

    private final SafetyConfig config;

    public RetryBudgetPolicy(SafetyConfig config) {
        this.config = config;
    }

    @Override
    public String id() {
        return ID;
    }

    /** Actions counted against the budget of {@code fingerprint} now. */
    public static List<ActionHistory.Entry> spent(ActionHistory history, String fingerprint, java.time.Instant since) {
        return history.since(since).stream()
                .filter(e -> fingerprint.equals(e.fingerprint()))
                .filter(RateLimitPolicy::counts)
                .filter(e -> !"undone".equals(e.result()))  // reverting a bad step is not another try
                .toList();
    }

    @Override
    public Verdict evaluate(ProposedAction action, SafetyContext context) {
        String fp = context.incident().fingerprint();
        List<ActionHistory.Entry> spent = spent(context.history(), fp, context.clock().instant().minus(config.retryWindow()));
        if (spent.size() < config.retryBudget()) return Verdict.allow();
        return Verdict.deny(ESCALATE + " retry budget spent: " + spent.size() + " action(s) "
                + spent.stream().map(e -> e.actionType() + " " + e.target() + " (" + e.result() + ")").toList()
                + " for " + fp + " within " + config.retryWindow() + " (safety.retry_budget=" + config.retryBudget()
                + "); a human takes over");
    }

    /** Whether a planned action was denied because the incident's retry budget is spent. */
    public static boolean escalates(PlannedAction planned) {
        return planned.verdict().isDeny() && planned.reasons().stream()
                .anyMatch(r -> r.startsWith(ESCALATE) || r.startsWith(ID + ": " + ESCALATE));
    }
}

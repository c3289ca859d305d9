package io.kubeincident.spi;

import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.Verdict;

/**
 * Judges one planned action. Every policy sees every plan; the most restrictive verdict wins and every
 * reason is recorded.
 *
 * <p>Contract: thread-safe, fast, no API calls (use the context's cluster view), no side effects
 * except in {@link #onExecuted}. A policy that throws is treated as a deny (fail closed).
 */
public interface SafetyPolicy {

    String id();

    Verdict evaluate(ProposedAction action, SafetyContext context);

    /** Called after an allowed action was started (rate limiters count here). */
    default void onExecuted(ProposedAction action, SafetyContext context) {
    }
}

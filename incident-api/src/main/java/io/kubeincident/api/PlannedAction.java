package io.kubeincident.api;

import java.util.List;
import java.util.Objects;

/**
 * A proposed action after the safety chain and the decision flow.
 *
 * @param action   what was proposed (confidence possibly adjusted by the outcome history)
 * @param verdict  the combined verdict of the safety chain
 * @param decision what the engine decided
 * @param reasons  every reason that led there (policy reasons, thresholds, mode)
 */
public record PlannedAction(ProposedAction action, Verdict verdict, Decision decision, List<String> reasons) {
    public PlannedAction {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(decision, "decision");
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
    }
}

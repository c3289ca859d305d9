package io.kubeincident.api;

import java.util.Map;
import java.util.Objects;

/**
 * An action an analyzer proposes: a registered action type, its target and validated parameters.
 * Nothing here is executable as-is; the engine validates it against the action's schema, the
 * incident's blast radius and the safety policies.
 *
 * @param actionType  a registered {@code RemediationAction} id
 * @param target      the object to act on
 * @param parameters  JSON-like values (String, Number, Boolean, List, Map) matching the action's schema
 * @param confidence  0..1
 * @param rationale   why, for humans and the audit
 */
public record ProposedAction(String actionType, ResourceRef target, Map<String, Object> parameters,
                             double confidence, String rationale) {

    public ProposedAction {
        Ids.requireKebab(actionType, "actionType");
        Objects.requireNonNull(target, "target");
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        Confidence.require(confidence);
        rationale = rationale == null ? "" : rationale;
    }

    public ProposedAction withConfidence(double newConfidence, String why) {
        return new ProposedAction(actionType, target, parameters, newConfidence,
                why == null ? rationale : rationale + (rationale.isEmpty() ? "" : " ") + why);
    }
}

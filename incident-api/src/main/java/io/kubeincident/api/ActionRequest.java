package io.kubeincident.api;

import java.util.Map;
import java.util.Objects;

/**
 * One action the engine asks a {@code RemediationAction} to carry out, after the safety chain allowed it.
 *
 * @param incidentId the incident it serves (goes into the Kubernetes Event and the audit)
 * @param actionType the action's id
 * @param target     the object to act on
 * @param parameters validated parameters
 * @param confidence the plan's confidence
 * @param dryRun     true: check with server-side dry-run ({@code dryRun=All}) and change nothing
 */
public record ActionRequest(String incidentId, String actionType, ResourceRef target, Map<String, Object> parameters,
                            double confidence, boolean dryRun) {
    public ActionRequest {
        Objects.requireNonNull(incidentId, "incidentId");
        Ids.requireKebab(actionType, "actionType");
        Objects.requireNonNull(target, "target");
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        Confidence.require(confidence);
    }

    public static ActionRequest of(String incidentId, ProposedAction action, boolean dryRun) {
        return new ActionRequest(incidentId, action.actionType(), action.target(), action.parameters(),
                action.confidence(), dryRun);
    }

    public ActionRequest asDryRun() {
        return new ActionRequest(incidentId, actionType, target, parameters, confidence, true);
    }

    public String stringParam(String key, String fallback) {
        Object v = parameters.get(key);
        return v == null ? fallback : v.toString();
    }

    public long longParam(String key, long fallback) {
        Object v = parameters.get(key);
        if (v instanceof Number n) return n.longValue();
        if (v instanceof String s && !s.isBlank()) return Long.parseLong(s.trim());
        return fallback;
    }

    public double doubleParam(String key, double fallback) {
        Object v = parameters.get(key);
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof String s && !s.isBlank()) return Double.parseDouble(s.trim());
        return fallback;
    }

    public boolean booleanParam(String key, boolean fallback) {
        Object v = parameters.get(key);
        if (v instanceof Boolean b) return b;
        if (v instanceof String s) return Boolean.parseBoolean(s.trim());
        return fallback;
    }
}

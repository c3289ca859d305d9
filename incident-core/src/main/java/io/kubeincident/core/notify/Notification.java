package io.kubeincident.core.notify;

import io.kubeincident.api.ActionResult;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.Redactor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a notifier sends about one event: identifiers, the action and its target, outcome and reasons.
 * Free text passes through the redactor; action parameters are never included (they may carry Secret
 * values), so a notification cannot leak what an action was told to write.
 */
public record Notification(String event, String incidentId, String incidentType, String severity, String resource,
                           String action, String target, Double confidence, String result, String approvalId,
                           List<String> reasons, String message) {

    public Notification {
        reasons = reasons == null ? List.of() : Redactor.redactAll(reasons);
        message = message == null ? "" : Redactor.redact(message);
    }

    static Notification of(String event, Incident i, PlannedAction pa, String result, String approvalId, String message) {
        return new Notification(event, i.id(), i.type(), i.severity().name(), i.rootResource().key(),
                pa == null ? null : pa.action().actionType(), pa == null ? null : pa.action().target().key(),
                pa == null ? null : pa.action().confidence(), result, approvalId, pa == null ? List.of() : pa.reasons(), message);
    }

    public static Notification opened(Incident i) {
        return of("opened", i, null, null, null, i.findings().isEmpty() ? "" : i.findings().get(0).message());
    }

    public static Notification analyzed(IncidentReport r) {
        return of("analyzed", r.incident(), null, null, null, r.diagnosis().category() + ": " + r.diagnosis().rootCause());
    }

    public static Notification approvalRequested(Incident i, PlannedAction pa, String approvalId) {
        return of("approval-requested", i, pa, null, approvalId, pa.action().rationale());
    }

    public static Notification actionExecuted(Incident i, PlannedAction pa, ActionResult r) {
        return of("action-executed", i, pa, r.kind(), null, r.message());
    }

    public static Notification escalated(Incident i, String reason) {
        return of("escalated", i, null, null, null, reason);
    }

    public static Notification resolved(Incident i) {
        return of("resolved", i, null, null, null, "");
    }

    /** Snake-case JSON fields, nulls left out. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event);
        m.put("incident_id", incidentId);
        m.put("incident_type", incidentType);
        m.put("severity", severity);
        m.put("resource", resource);
        if (action != null) m.put("action", action);
        if (target != null) m.put("target", target);
        if (confidence != null) m.put("confidence", confidence);
        if (result != null) m.put("result", result);
        if (approvalId != null) m.put("approval_id", approvalId);
        if (!reasons.isEmpty()) m.put("reasons", reasons);
        if (!message.isEmpty()) m.put("message", message);
        return m;
    }

    /** One human line plus details, for chat. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        String head = switch (event) {
            case "opened" -> ":rotating_light: Incident opened";
            case "analyzed" -> ":mag: Incident analyzed";
            case "approval-requested" -> ":raised_hand: Approval needed";
            case "action-executed" -> ":wrench: Action " + result;
            case "escalated" -> ":sos: Escalated to a human";
            case "resolved" -> ":white_check_mark: Resolved";
            default -> event;
        };
        sb.append(head).append(": *").append(incidentType).append("* on `").append(resource).append("` (")
                .append(severity).append(", ").append(incidentId).append(')');
        if (action != null) {
            sb.append("\nAction: `").append(action).append("` on `").append(target).append('`');
            if (confidence != null) sb.append(String.format(" (confidence %.2f)", confidence));
        }
        if (approvalId != null) sb.append("\nApproval id: `").append(approvalId).append('`');
        if (!message.isEmpty()) sb.append('\n').append(message);
        for (String r : reasons) sb.append("\n• ").append(r);
        return sb.toString();
    }
}

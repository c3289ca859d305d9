package io.kubeincident.api;

import java.util.List;
import java.util.Objects;

/**
 * Everything the engine knows about one incident after analysis and planning: what a one-shot scan
 * returns and what listeners receive.
 *
 * @param incident  the incident
 * @param evidence  the redacted evidence the analyzers saw
 * @param diagnosis the accepted diagnosis (never null: the rules analyzer always answers, else an
 *                  "unknown" diagnosis with no actions)
 * @param plan      the planned actions with their decisions, in order
 */
public record IncidentReport(Incident incident, Evidence evidence, Diagnosis diagnosis, List<PlannedAction> plan) {
    public IncidentReport {
        Objects.requireNonNull(incident, "incident");
        evidence = evidence == null ? Evidence.empty() : evidence;
        Objects.requireNonNull(diagnosis, "diagnosis");
        plan = plan == null ? List.of() : List.copyOf(plan);
    }
}

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
 * @param problems  what is missing from this report and why (evidence that could not be read, an analyzer
 *                  that failed before another answered, a planning step that failed); empty when complete
 */
public record IncidentReport(Incident incident, Evidence evidence, Diagnosis diagnosis, List<PlannedAction> plan,
                             List<String> problems) {
    public IncidentReport {
        Objects.requireNonNull(incident, "incident");
        evidence = evidence == null ? Evidence.empty() : evidence;
        Objects.requireNonNull(diagnosis, "diagnosis");
        plan = plan == null ? List.of() : List.copyOf(plan);
        problems = problems == null ? List.of() : List.copyOf(problems);
    }

    /** A complete report (no problems). */
    public IncidentReport(Incident incident, Evidence evidence, Diagnosis diagnosis, List<PlannedAction> plan) {
        this(incident, evidence, diagnosis, plan, List.of());
    }

    /** The same report about a newer state of its incident. */
    public IncidentReport withIncident(Incident newer) {
        return new IncidentReport(newer, evidence, diagnosis, plan, problems);
    }
}

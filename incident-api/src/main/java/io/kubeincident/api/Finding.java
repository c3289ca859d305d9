package io.kubeincident.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One observation of a detector about one object: "pod default/web-1 is in CrashLoopBackOff".
 * Findings are folded into incidents by the engine.
 *
 * @param detectorId   the id of the detector that produced it
 * @param incidentType the incident type id, e.g. {@link IncidentTypes#CRASH_LOOP}
 * @param severity     how bad this one observation is
 * @param resource     the object observed
 * @param message      one human line, with the concrete values
 * @param facts        machine-readable details (reason, exitCode, restartCount, container, ...);
 *                     values already free of secrets
 * @param observedAt   when the condition began, read from the object's status where it says so
 */
public record Finding(String detectorId, String incidentType, Severity severity, ResourceRef resource,
                      String message, Map<String, String> facts, Instant observedAt) {

    public Finding {
        Ids.requireKebab(detectorId, "detectorId");
        Ids.requireKebab(incidentType, "incidentType");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(resource, "resource");
        message = message == null ? "" : message;
        facts = facts == null ? Map.of() : Map.copyOf(facts);
        Objects.requireNonNull(observedAt, "observedAt");
    }

    public String fact(String key) {
        return facts.get(key);
    }
}

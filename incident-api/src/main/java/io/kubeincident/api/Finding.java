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
 * @param source       where it came from: {@link #SOURCE_WATCH} for the engine's own detectors over its watches,
 *                     {@link #SOURCE_ALERT} for an Alertmanager alert, {@link #SOURCE_METRICS} for a detector over
 *                     metrics; any kebab-case id for other {@link io.kubeincident.spi.FindingSource}s. An incident lists
 *                     the sources of its findings.
 */
public record Finding(String detectorId, String incidentType, Severity severity, ResourceRef resource,
                      String message, Map<String, String> facts, Instant observedAt, String source) {

    /** The engine's detectors looking at watched objects. */
    public static final String SOURCE_WATCH = "watch";
    /** An alert that arrived from Alertmanager. */
    public static final String SOURCE_ALERT = "alert";
    /** A detector evaluating metrics (PromQL rules, burn rates, anomalies). */
    public static final String SOURCE_METRICS = "metrics";

    /** A finding of the engine's own watches ({@link #SOURCE_WATCH}). */
    public Finding(String detectorId, String incidentType, Severity severity, ResourceRef resource,
                   String message, Map<String, String> facts, Instant observedAt) {
        this(detectorId, incidentType, severity, resource, message, facts, observedAt, SOURCE_WATCH);
    }

    public Finding {
        source = source == null || source.isBlank() ? SOURCE_WATCH : source;
        Ids.requireKebab(source, "source");
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

    /** The same finding from another source. */
    public Finding withSource(String newSource) {
        return new Finding(detectorId, incidentType, severity, resource, message, facts, observedAt, newSource);
    }
}

package io.kubeincident.api;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One step of one incident, as written to the audit trail. Field names follow the structured log
 * format users expect: {@code incident_id}, {@code action}, {@code resource}, {@code confidence},
 * {@code verdict}, {@code reasons}, {@code dry_run}, {@code result}, {@code duration_ms},
 * {@code reasoning}.
 *
 * @param timestamp  when
 * @param incidentId the incident (or {@code "-"} for engine-level records such as provider failures)
 * @param step       what happened: {@code detected}, {@code analyzed}, {@code analyzer-failed},
 *                   {@code decision}, {@code intent}, {@code outcome}, {@code verified}, {@code escalated},
 *                   {@code resolved}, {@code provider-error}, ...
 * @param fields     the step's details, JSON-like values; insertion order kept
 */
public record AuditRecord(Instant timestamp, String incidentId, String step, Map<String, Object> fields) {
    public AuditRecord {
        Objects.requireNonNull(timestamp, "timestamp");
        incidentId = incidentId == null || incidentId.isBlank() ? "-" : incidentId;
        Ids.requireKebab(step, "step");
        fields = fields == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public Object field(String key) {
        return fields.get(key);
    }
}

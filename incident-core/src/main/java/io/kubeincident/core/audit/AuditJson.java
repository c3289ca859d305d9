package io.kubeincident.core.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubeincident.api.AuditRecord;

import java.util.LinkedHashMap;
import java.util.Map;

/** One audit record as one JSON object: {@code timestamp}, {@code incident_id}, {@code step}, then its fields. */
public final class AuditJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AuditJson() {
    }

    public static Map<String, Object> toMap(AuditRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timestamp", r.timestamp().toString());
        m.put("incident_id", r.incidentId());
        m.put("step", r.step());
        m.putAll(r.fields());
        return m;
    }

    public static String toJson(AuditRecord r) {
        try {
            return MAPPER.writeValueAsString(toMap(r));
        } catch (JsonProcessingException e) {
            // Fields are JSON-like by contract; a value Jackson cannot write is rendered as text instead.
            Map<String, Object> safe = new LinkedHashMap<>();
            toMap(r).forEach((k, v) -> safe.put(k, v == null ? null : String.valueOf(v)));
            try {
                return MAPPER.writeValueAsString(safe);
            } catch (JsonProcessingException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }
}

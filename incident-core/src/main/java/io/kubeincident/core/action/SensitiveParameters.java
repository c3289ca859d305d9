package io.kubeincident.core.action;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Mix-in for actions whose parameters carry values that must never leave the process (Secret values).
 * The engine passes parameters through {@link #redactParameters} before they reach an audit record, a log
 * line, a notification or an analyzer.
 */
public interface SensitiveParameters {

    /** Parameter names whose values are secret. */
    Set<String> sensitiveParameters();

    /** {@code parameters} with every sensitive value replaced: maps keep their keys, values become {@code "<redacted>"}. */
    default Map<String, Object> redactParameters(Map<String, Object> parameters) {
        return redact(parameters, sensitiveParameters());
    }

    String REDACTED = "<redacted>";

    static Map<String, Object> redact(Map<String, Object> parameters, Set<String> sensitive) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : parameters.entrySet()) {
            if (!sensitive.contains(e.getKey())) {
                out.put(e.getKey(), e.getValue());
            } else if (e.getValue() instanceof Map<?, ?> m) {
                Map<String, Object> keys = new LinkedHashMap<>();
                for (Object k : new TreeSet<>(m.keySet().stream().map(String::valueOf).toList())) keys.put((String) k, REDACTED);
                out.put(e.getKey(), keys);
            } else {
                out.put(e.getKey(), REDACTED);
            }
        }
        return out;
    }
}

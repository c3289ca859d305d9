package io.kubeincident.core.action;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the JSON Schemas (as nested maps) of action parameters; every object closes {@code additionalProperties}. */
public final class Schemas {

    private Schemas() {
    }

    public static Map<String, Object> object(Map<String, Object> properties, List<String> required) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "object");
        s.put("properties", Map.copyOf(properties));
        if (!required.isEmpty()) s.put("required", List.copyOf(required));
        s.put("additionalProperties", false);
        return Map.copyOf(s);
    }

    public static Map<String, Object> empty() {
        return object(Map.of(), List.of());
    }

    public static Map<String, Object> integer(long min, long max, String description) {
        return Map.of("type", "integer", "minimum", min, "maximum", max, "description", description);
    }

    public static Map<String, Object> number(double exclusiveMin, double max, String description) {
        return Map.of("type", "number", "exclusiveMinimum", exclusiveMin, "maximum", max, "description", description);
    }

    public static Map<String, Object> bool(String description) {
        return Map.of("type", "boolean", "description", description);
    }

    public static Map<String, Object> string(String pattern, int maxLength, String description) {
        return Map.of("type", "string", "pattern", pattern, "maxLength", maxLength, "description", description);
    }

    public static Map<String, Object> enumOf(List<String> values, String description) {
        return Map.of("type", "string", "enum", List.copyOf(values), "description", description);
    }

    /** A map of string keys (matching {@code keyPattern}) to string values. */
    public static Map<String, Object> stringMap(String keyPattern, int maxEntries, int maxValueLength, String description) {
        return Map.of("type", "object",
                "propertyNames", Map.of("pattern", keyPattern, "maxLength", 253),
                "additionalProperties", Map.of("type", "string", "maxLength", maxValueLength),
                "minProperties", 1, "maxProperties", maxEntries,
                "description", description);
    }
}

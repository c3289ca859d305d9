package io.kubeincident.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Incident;
import io.kubeincident.api.ResourceRef;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON schema of the answer, generated per request from the registered actions and the incident's
 * resources: the model can only name an available action type (one {@code anyOf} branch per action, its
 * type as an enum), only target a resource of the incident (kind, namespace and name as enums), and only
 * give parameters of that action's schema, with a confidence in [0, 1].
 *
 * <p>Two variants. The strict one follows the Structured Outputs subset ({@code strict: true}): every
 * object lists all its properties as required with {@code additionalProperties: false}, optional
 * parameters become nullable, keywords outside the subset are dropped (the answer is still checked
 * against the action's original schema afterwards), and a map (an object whose {@code additionalProperties}
 * is a schema, which the subset cannot express) becomes a list of {@code {key, value}} pairs that
 * {@link #pairsToMap} turns back into the map. The lenient one keeps each action's own parameter
 * schema; it is written into the prompt and used for validation in {@code json_object} mode.
 */
final class ResponseSchema {

    /** Part of the prompt version: bump when the answer's shape changes. */
    static final String VERSION = "schema-2";
    static final String NAME = "incident_diagnosis";
    /** Beyond this many resources the name enum is left out (validation still checks every target). */
    static final int MAX_NAME_ENUM = 200;

    private static final Set<String> STRICT_KEYWORDS = Set.of("description", "enum", "const", "pattern", "minimum",
            "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems");
    private static final Set<String> STRICT_FORMATS = Set.of("date-time", "time", "date", "duration", "email",
            "hostname", "ipv4", "ipv6", "uuid");

    private ResponseSchema() {
    }

    /** The actions that have at least one target among the incident's resources, in request order. */
    static List<ActionDescriptor> usableActions(AnalysisRequest request) {
        List<ActionDescriptor> out = new ArrayList<>();
        for (ActionDescriptor a : request.availableActions()) {
            if (!targets(a, request.incident()).isEmpty()) out.add(a);
        }
        return out;
    }

    static Map<String, Object> build(AnalysisRequest request, int maxActions, boolean strict) {
        // Reasoning first: a model writes the fields in this order, so it reasons before it concludes.
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("reasoning", Map.of("type", "string",
                "description", "how the evidence supports the root cause and the chosen actions"));
        props.put("root_cause", Map.of("type", "string",
                "description", "the root cause in one or two sentences, with the concrete values from the evidence"));
        props.put("category", Map.of("type", "string",
                "description", "kebab-case root-cause category, e.g. bad-image, crash-on-start, memory-limit-too-low"));
        props.put("confidence", probability("probability that the root cause is right"));

        List<ActionDescriptor> usable = usableActions(request);
        Map<String, Object> actions = new LinkedHashMap<>();
        actions.put("type", "array");
        actions.put("description", "actions to take, in order; empty when no available action would help");
        if (usable.isEmpty() || maxActions == 0) {
            actions.put("maxItems", 0);
            actions.put("items", object(new LinkedHashMap<>()));
        } else {
            actions.put("maxItems", maxActions);
            List<Object> branches = new ArrayList<>();
            for (ActionDescriptor a : usable) branches.add(actionSchema(a, request.incident(), strict));
            actions.put("items", Map.of("anyOf", branches));
        }
        props.put("actions", actions);
        return object(props);
    }

    private static Map<String, Object> actionSchema(ActionDescriptor a, Incident incident, boolean strict) {
        List<ResourceRef> targets = targets(a, incident);
        Set<String> kinds = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>();
        List<Object> namespaces = new ArrayList<>();
        for (ResourceRef r : targets) {
            kinds.add(r.kind());
            names.add(r.name());
            if (!namespaces.contains(r.namespace())) namespaces.add(r.namespace());
        }
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("kind", Map.of("type", "string", "enum", List.copyOf(kinds)));
        target.put("namespace", namespaceSchema(namespaces));
        target.put("name", names.size() <= MAX_NAME_ENUM
                ? Map.of("type", "string", "enum", List.copyOf(names))
                : Map.of("type", "string"));

        Map<String, Object> props = new LinkedHashMap<>();
        props.put("type", Map.of("type", "string", "enum", List.of(a.id())));
        props.put("target", object(target));
        props.put("parameters", strict ? strictObject(a.parametersSchema()) : lenientObject(a.parametersSchema()));
        props.put("rationale", Map.of("type", "string", "description", "why this action, in one sentence"));
        props.put("confidence", probability("probability that this action resolves the incident"));
        Map<String, Object> schema = object(props);
        if (!a.description().isBlank()) {
            Map<String, Object> described = new LinkedHashMap<>();
            described.put("description", a.id() + ": " + a.description());
            described.putAll(schema);
            return described;
        }
        return schema;
    }

    /** Incident resources the action may act on (its target kinds, or any kind when it declares none). */
    static List<ResourceRef> targets(ActionDescriptor a, Incident incident) {
        List<ResourceRef> out = new ArrayList<>();
        List<ResourceRef> all = new ArrayList<>(incident.resources());
        if (all.stream().noneMatch(r -> r.sameTarget(incident.rootResource()))) all.add(0, incident.rootResource());
        for (ResourceRef r : all) {
            if (a.targetKinds().isEmpty() || a.targetKinds().contains(r.kind())) out.add(r);
        }
        return out;
    }

    private static Map<String, Object> namespaceSchema(List<Object> namespaces) {
        boolean hasNull = namespaces.contains(null);
        List<Object> values = new ArrayList<>(namespaces);
        if (values.size() == 1 && hasNull) return Map.of("type", "null");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", hasNull ? List.of("string", "null") : "string");
        m.put("enum", values);
        return m;
    }

    private static Map<String, Object> probability(String description) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "number");
        m.put("minimum", 0);
        m.put("maximum", 1);
        m.put("description", description);
        return m;
    }

    /** An object schema in the strict form: every property required, nothing else allowed. */
    private static Map<String, Object> object(Map<String, Object> props) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "object");
        m.put("properties", props);
        m.put("required", List.copyOf(props.keySet()));
        m.put("additionalProperties", false);
        return m;
    }

    private static Map<String, Object> lenientObject(Map<String, Object> schema) {
        Map<String, Object> m = new LinkedHashMap<>(schema);
        m.putIfAbsent("type", "object");
        return m;
    }

    private static Map<String, Object> strictObject(Map<String, Object> schema) {
        Map<String, Object> s = strictify(schema, false);
        if (!"object".equals(s.get("type"))) return object(new LinkedHashMap<>());
        return s;
    }

    /**
     * {@code schema} rewritten into the Structured Outputs subset. Optional properties become nullable
     * (strict mode has no optional properties); unsupported keywords are dropped.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> strictify(Object schemaNode, boolean nullable) {
        if (!(schemaNode instanceof Map<?, ?> raw)) {
            return nullable(new LinkedHashMap<>(Map.of("type", "string")), nullable);
        }
        Map<String, Object> in = (Map<String, Object>) raw;
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : STRICT_KEYWORDS) {
            if (in.containsKey(k)) out.put(k, in.get(k) instanceof Collection<?> c ? new ArrayList<>(c) : in.get(k));
        }
        if (in.get("format") instanceof String f && STRICT_FORMATS.contains(f)) out.put("format", f);
        Object type = in.get("type");
        if (isMap(in)) return nullable(pairs(in), nullable);
        if (type instanceof Collection<?> types) {
            List<Object> t = new ArrayList<>(types);
            type = t.size() == 1 ? t.get(0) : t;
            if (t.contains("object")) type = "object";
        }
        if ("object".equals(type) || (type == null && in.get("properties") instanceof Map)) {
            Map<String, Object> props = new LinkedHashMap<>();
            Set<Object> required = in.get("required") instanceof Collection<?> c ? new LinkedHashSet<>(c) : Set.of();
            if (in.get("properties") instanceof Map<?, ?> p) {
                for (Map.Entry<?, ?> e : p.entrySet()) {
                    String name = String.valueOf(e.getKey());
                    props.put(name, strictify(e.getValue(), !required.contains(name)));
                }
            }
            Map<String, Object> obj = object(props);
            if (in.get("description") != null) obj.put("description", in.get("description"));
            return nullable(obj, nullable);
        }
        if ("array".equals(type)) {
            out.put("type", "array");
            out.put("items", strictify(in.getOrDefault("items", Map.of("type", "string")), false));
            return nullable(out, nullable);
        }
        Object anyOf = in.containsKey("anyOf") ? in.get("anyOf") : in.get("oneOf");
        if (anyOf instanceof Collection<?> branches) {
            List<Object> list = new ArrayList<>();
            for (Object b : branches) list.add(strictify(b, false));
            out.put("anyOf", list);
            return nullable(out, nullable);
        }
        if (type != null) out.put("type", type);
        else if (!out.containsKey("enum") && !out.containsKey("const")) out.put("type", "string");
        return nullable(out, nullable);
    }

    /** An object schema of free keys ({@code additionalProperties} a schema, no declared properties). */
    static boolean isMap(Map<?, ?> schema) {
        Object type = schema.get("type");
        boolean object = "object".equals(type) || (type instanceof Collection<?> c && c.contains("object"))
                || (type == null && schema.containsKey("additionalProperties"));
        boolean noProperties = !(schema.get("properties") instanceof Map<?, ?> p) || p.isEmpty();
        return object && noProperties && schema.get("additionalProperties") instanceof Map;
    }

    /** The strict form of a map: {@code [{"key": k, "value": v}, ...]}, bounds kept as item counts. */
    private static Map<String, Object> pairs(Map<String, Object> map) {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("type", "string");
        if (map.get("propertyNames") instanceof Map<?, ?> names && names.get("pattern") instanceof String pattern) {
            key.put("pattern", pattern);
        }
        Map<String, Object> pair = new LinkedHashMap<>();
        pair.put("key", key);
        pair.put("value", strictify(map.get("additionalProperties"), false));
        Map<String, Object> out = new LinkedHashMap<>();
        String description = map.get("description") instanceof String d ? d + "; " : "";
        out.put("description", description + "as a list of {key, value} pairs, each key once");
        out.put("type", "array");
        out.put("items", object(pair));
        if (map.get("minProperties") instanceof Number n) out.put("minItems", n);
        if (map.get("maxProperties") instanceof Number n) out.put("maxItems", n);
        return out;
    }

    /**
     * {@code value} with every list of {@code {key, value}} pairs that stands for a map of {@code schema} (itself
     * or a property of its nested objects) turned back into that map, as the action expects it; anything else
     * is returned as it is (an answer in the lenient form already holds maps). A key given twice is added to
     * {@code problems}.
     */
    static JsonNode pairsToMap(Map<?, ?> schema, JsonNode value, String at, List<String> problems) {
        if (isMap(schema) && value != null && value.isArray()) {
            ObjectNode map = JsonNodeFactory.instance.objectNode();
            for (JsonNode pair : value) {
                if (!pair.isObject() || !pair.path("key").isTextual() || !pair.has("value")) return value;
                String key = pair.get("key").asText();
                if (map.has(key)) problems.add(at + ": key '" + AnswerValidator.shorten(key, 60) + "' given twice");
                map.set(key, pair.get("value"));
            }
            return map;
        }
        if (value != null && value.isObject() && schema.get("properties") instanceof Map<?, ?> props && !props.isEmpty()) {
            ObjectNode copy = ((ObjectNode) value).deepCopy();
            for (Map.Entry<?, ?> e : props.entrySet()) {
                String name = String.valueOf(e.getKey());
                if (e.getValue() instanceof Map<?, ?> sub && copy.has(name)) {
                    copy.set(name, pairsToMap(sub, copy.get(name), at + "." + name, problems));
                }
            }
            return copy;
        }
        return value;
    }

    private static Map<String, Object> nullable(Map<String, Object> s, boolean nullable) {
        if (!nullable) return s;
        Object type = s.get("type");
        if (type instanceof String t) {
            if (!t.equals("null")) s.put("type", List.of(t, "null"));
        } else if (type instanceof List<?> l) {
            if (!l.contains("null")) {
                List<Object> t = new ArrayList<>(l);
                t.add("null");
                s.put("type", t);
            }
        } else if (s.get("anyOf") instanceof List<?> branches) {
            List<Object> b = new ArrayList<>(branches);
            b.add(Map.of("type", "null"));
            s.put("anyOf", b);
            return s;
        } else {
            Map<String, Object> wrapped = new LinkedHashMap<>();
            wrapped.put("anyOf", List.of(s, Map.of("type", "null")));
            return wrapped;
        }
        if (s.get("enum") instanceof List<?> values && !values.contains(null)) {
            List<Object> v = new ArrayList<>(values);
            v.add(null);
            s.put("enum", v);
        }
        return s;
    }
}

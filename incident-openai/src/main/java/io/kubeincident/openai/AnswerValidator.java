package io.kubeincident.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Ids;
import io.kubeincident.api.Incident;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a model's answer before anything in it is believed: it parses as one JSON object, matches the
 * answer schema, every action type is available, every target is a resource of the incident and of a
 * kind the action accepts, every action's parameters match that action's own schema (bounds included),
 * and every confidence lies in [0, 1]. One bad part rejects the whole answer: a model that was talked into
 * one harmful proposal is not trusted for the others. Thread-safe.
 */
final class AnswerValidator {

    static final int MAX_REASONS = 25;
    private static final Pattern FENCE = Pattern.compile("^```[a-zA-Z]*\\s*\\n(.*)\\n\\s*```$", Pattern.DOTALL);
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    private final Map<Map<String, Object>, JsonSchema> parameterSchemas = new ConcurrentHashMap<>();

    /** What validation concluded. */
    sealed interface Result {
    }

    record Accepted(String category, String rootCause, String reasoning, double confidence,
                    List<ProposedAction> actions) implements Result {
    }

    record Rejected(List<String> reasons) implements Result {
        Rejected {
            reasons = List.copyOf(reasons);
        }
    }

    Result validate(String content, AnalysisRequest request, Map<String, Object> answerSchema) {
        if (content == null || content.isBlank()) return new Rejected(List.of("empty content"));
        String text = content.strip();
        Matcher fence = FENCE.matcher(text);
        if (fence.matches()) text = fence.group(1).strip();

        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            return new Rejected(List.of("malformed JSON: " + shorten(e.getOriginalMessage(), 200)));
        }
        if (root == null || !root.isObject()) return new Rejected(List.of("the answer is not a JSON object"));

        List<String> reasons = new ArrayList<>();
        Incident incident = request.incident();
        double confidence = probability(root.get("confidence"), "confidence", reasons);
        String rootCause = textOf(root.get("root_cause"));
        String reasoning = textOf(root.get("reasoning"));
        if (rootCause.isBlank()) reasons.add("root_cause is missing or empty");
        List<ProposedAction> actions = new ArrayList<>();
        JsonNode list = root.get("actions");
        if (list != null && !list.isNull() && !list.isArray()) reasons.add("actions is not an array");
        Map<String, Map<String, Object>> branches = branches(answerSchema);
        if (list != null && list.isArray() && !list.isEmpty() && noActionAllowed(answerSchema)) {
            // one readable reason instead of a schema message per field of every proposed action
            reasons.add("actions: no registered action can act on this incident's resources, so the answer must "
                    + "propose none; it proposed " + list.size());
            root = root.deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) root).putArray("actions");
            list = null;
        }
        if (list != null && list.isArray()) {
            for (int i = 0; i < list.size(); i++) {
                String at = "actions[" + i + "]";
                int before = reasons.size();
                ProposedAction a = action(list.get(i), at, request, incident, reasons);
                if (a != null) actions.add(a);
                // the item against its own anyOf branch (shape, enums, no extra fields); skipped when the
                // checks above already rejected it, so the reasons stay readable
                Map<String, Object> branch = branches.get(textOf(list.get(i).get("type")));
                if (reasons.size() == before && branch != null) {
                    schemaErrors(branch, list.get(i), at, reasons);
                }
            }
        }
        // the answer's frame: fields, types, counts (items were checked one by one above)
        schemaErrors(frame(answerSchema), root, "answer", reasons);
        if (!reasons.isEmpty()) {
            return new Rejected(reasons.size() > MAX_REASONS ? reasons.subList(0, MAX_REASONS) : reasons);
        }
        return new Accepted(category(textOf(root.get("category"))), rootCause, reasoning, confidence, actions);
    }

    private ProposedAction action(JsonNode node, String at, AnalysisRequest request, Incident incident,
                                  List<String> reasons) {
        if (node == null || !node.isObject()) {
            reasons.add(at + " is not an object");
            return null;
        }
        int before = reasons.size();
        String type = textOf(node.get("type"));
        ActionDescriptor descriptor = null;
        for (ActionDescriptor d : request.availableActions()) if (d.id().equals(type)) descriptor = d;
        if (descriptor == null) {
            List<String> ids = request.availableActions().stream().map(ActionDescriptor::id).toList();
            reasons.add(at + ": unknown action type '" + shorten(type, 60) + "' (available: " + ids + ")");
        }

        ResourceRef target = target(node.get("target"), at, incident, reasons);
        if (target != null && descriptor != null && !descriptor.targetKinds().isEmpty()
                && !descriptor.targetKinds().contains(target.kind())) {
            reasons.add(at + ": " + descriptor.id() + " cannot act on kind " + target.kind()
                    + " (accepts " + new TreeSet<>(descriptor.targetKinds()) + ")");
        }

        Map<String, Object> parameters = Map.of();
        JsonNode params = node.get("parameters");
        if (params != null && !params.isNull() && !params.isObject()) {
            reasons.add(at + ".parameters is not an object");
        } else if (descriptor != null) {
            JsonNode cleaned = params == null || params.isNull() ? mapper.createObjectNode() : withoutNulls(params);
            // maps come as {key, value} pairs in the strict form (see ResponseSchema); the action wants the map
            cleaned = ResponseSchema.pairsToMap(descriptor.parametersSchema(), cleaned, at + ".parameters", reasons);
            Set<String> errors = new TreeSet<>();
            try {
                for (ValidationMessage m : parameterSchema(descriptor).validate(cleaned)) {
                    errors.add(located(at + ".parameters", m.getMessage()));
                }
            } catch (RuntimeException e) {
                // a plugin's unusable schema: its parameters cannot be checked, so the answer is not trusted
                errors.add(at + ": the parameter schema of " + descriptor.id() + " cannot be used: " + e.getMessage());
            }
            reasons.addAll(errors);
            @SuppressWarnings("unchecked")
            Map<String, Object> converted = mapper.convertValue(cleaned, LinkedHashMap.class);
            parameters = converted;
        }
        double confidence = probability(node.get("confidence"), at + ".confidence", reasons);
        if (reasons.size() > before || descriptor == null || target == null) return null;
        return new ProposedAction(descriptor.id(), target, parameters, confidence, textOf(node.get("rationale")));
    }

    /** The incident's own reference for the target (with its uid), or null with a reason. */
    private static ResourceRef target(JsonNode node, String at, Incident incident, List<String> reasons) {
        if (node == null || !node.isObject()) {
            reasons.add(at + ".target is missing or not an object");
            return null;
        }
        String kind = textOf(node.get("kind"));
        String name = textOf(node.get("name"));
        JsonNode nsNode = node.get("namespace");
        String namespace = nsNode == null || nsNode.isNull() ? null : textOf(nsNode);
        ResourceRef ref;
        try {
            ref = new ResourceRef(kind, namespace, name, null);
        } catch (IllegalArgumentException e) {
            reasons.add(at + ".target is incomplete: " + e.getMessage());
            return null;
        }
        if (!incident.involves(ref)) {
            reasons.add(at + ": target " + shorten(ref.key(), 120) + " is not a resource of this incident");
            return null;
        }
        for (ResourceRef r : incident.resources()) if (r.sameTarget(ref)) return r;
        return incident.rootResource().sameTarget(ref) ? incident.rootResource() : ref;
    }

    private static double probability(JsonNode node, String what, List<String> reasons) {
        if (node == null || !node.isNumber()) {
            reasons.add(what + " is missing or not a number");
            return 0;
        }
        double v = node.asDouble();
        if (!Double.isFinite(v) || v < 0 || v > 1) {
            reasons.add(what + " must be within [0, 1], was " + node.asText());
            return 0;
        }
        return v;
    }

    private void schemaErrors(Map<String, Object> schema, JsonNode node, String at, List<String> reasons) {
        Set<String> errors = new TreeSet<>();
        for (ValidationMessage m : compile(schema).validate(node)) {
            errors.add("schema: " + located(at, m.getMessage()));
        }
        for (String e : errors) if (!reasons.contains(e)) reasons.add(e);
    }

    /** True when the answer schema allows no action at all ({@code actions.maxItems} 0). */
    @SuppressWarnings("unchecked")
    private static boolean noActionAllowed(Map<String, Object> answerSchema) {
        Object props = answerSchema.get("properties");
        return props instanceof Map<?, ?> p && p.get("actions") instanceof Map<?, ?> a
                && a.get("maxItems") instanceof Number n && n.intValue() == 0;
    }

    /** A validator message ("$.replicas: must ...") placed under {@code at} ("actions[0].parameters.replicas: must ..."). */
    static String located(String at, String message) {
        return message.startsWith("$") ? at + message.substring(1) : at + ": " + message;
    }

    /** The answer schema with each action item left open ({@code type: object}). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> frame(Map<String, Object> answerSchema) {
        Map<String, Object> copy = new LinkedHashMap<>(answerSchema);
        Map<String, Object> props = new LinkedHashMap<>((Map<String, Object>) copy.getOrDefault("properties", Map.of()));
        if (props.get("actions") instanceof Map<?, ?> actions) {
            Map<String, Object> a = new LinkedHashMap<>((Map<String, Object>) actions);
            if (!Integer.valueOf(0).equals(a.get("maxItems"))) a.put("items", Map.of("type", "object"));
            props.put("actions", a);
        }
        copy.put("properties", props);
        return copy;
    }

    /**
     * The anyOf branch of each action type, its parameters left to the action's own schema (strict mode
     * makes optional parameters required-but-nullable; leaving one out is harmless).
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> branches(Map<String, Object> answerSchema) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        Object props = answerSchema.get("properties");
        if (!(props instanceof Map<?, ?> p) || !(p.get("actions") instanceof Map<?, ?> actions)) return out;
        if (!(actions.get("items") instanceof Map<?, ?> items) || !(items.get("anyOf") instanceof List<?> anyOf)) return out;
        for (Object b : anyOf) {
            if (!(b instanceof Map<?, ?> branch) || !(branch.get("properties") instanceof Map<?, ?> bp)) continue;
            if (!(bp.get("type") instanceof Map<?, ?> type) || !(type.get("enum") instanceof List<?> ids) || ids.isEmpty()) continue;
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) branch);
            Map<String, Object> copyProps = new LinkedHashMap<>((Map<String, Object>) bp);
            copyProps.put("parameters", Map.of("type", List.of("object", "null")));
            copy.put("properties", copyProps);
            List<Object> required = new ArrayList<>((List<Object>) copy.getOrDefault("required", List.of()));
            required.remove("parameters");
            copy.put("required", required);
            out.put(String.valueOf(ids.get(0)), copy);
        }
        return out;
    }

    private JsonNode withoutNulls(JsonNode node) {
        if (node.isObject()) {
            var copy = mapper.createObjectNode();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (!e.getValue().isNull()) copy.set(e.getKey(), withoutNulls(e.getValue()));
            }
            return copy;
        }
        return node;
    }

    private JsonSchema parameterSchema(ActionDescriptor d) {
        return parameterSchemas.computeIfAbsent(d.parametersSchema(), this::compile);
    }

    private JsonSchema compile(Map<String, Object> schema) {
        return SCHEMAS.getSchema(mapper.valueToTree(schema));
    }

    /** A kebab-case category; a model's "Bad Image" becomes {@code bad-image} rather than a rejection. */
    static String category(String raw) {
        String s = raw == null ? "" : raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.length() > 60) s = s.substring(0, 60).replaceAll("-+$", "");
        return Ids.isKebab(s) ? s : "unknown";
    }

    private static String textOf(JsonNode n) {
        return n == null || n.isNull() || !n.isValueNode() ? "" : n.asText();
    }

    static String shorten(String s, int max) {
        if (s == null) return "";
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }
}

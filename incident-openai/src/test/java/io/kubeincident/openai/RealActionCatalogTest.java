package io.kubeincident.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.core.discovery.ProviderDiscovery;
import io.kubeincident.core.exec.EngineContexts;
import io.kubeincident.core.monitor.ObjectIndex;
import io.kubeincident.core.plan.ParameterValidator;
import io.kubeincident.spi.OutcomeHistory;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The answer schema built from the actions really registered through {@link RemediationActionProvider}
 * (incident-core's built-ins, and any other provider on the class path), not from the hand-written copies
 * of {@link Fixtures#actions()}: every action gets a branch in the Structured Outputs subset, and an answer
 * that the strict schema admits for it is accepted by {@link AnswerValidator} with parameters the real
 * action accepts.
 */
class RealActionCatalogTest {

    /** Keywords of the Structured Outputs subset; anything else in the strict schema would be refused. */
    private static final Set<String> STRICT_KEYWORDS = Set.of("type", "properties", "required", "additionalProperties",
            "items", "anyOf", "enum", "const", "description", "pattern", "format", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems");
    private static final Set<String> JSON_TYPES = Set.of("object", "array", "string", "number", "integer", "boolean", "null");
    private static final int MAX_OBJECT_DEPTH = 10;
    /** Strings tried for a parameter with a pattern: a container name, a Git revision, a ConfigMap key. */
    private static final List<String> SAMPLE_STRINGS = List.of("app", "main", "LOG_LEVEL", "sample");

    private static final ResourceRef DEPLOYMENT = ResourceRef.of("Deployment", "shop", "web");
    private static final Incident INCIDENT = new Incident("inc-real-1", "crash-loop:Deployment/shop/web",
            IncidentTypes.CRASH_LOOP, Severity.HIGH, DEPLOYMENT,
            List.of(DEPLOYMENT, ResourceRef.of("ReplicaSet", "shop", "web-7c9d8"), ResourceRef.of("Pod", "shop", "web-7c9d8-abcde"),
                    ResourceRef.cluster("Node", "worker-1"), ResourceRef.of("ConfigMap", "shop", "web-config"),
                    ResourceRef.of("Secret", "shop", "web-db")),
            List.of(), IncidentState.OPEN, Fixtures.NOW.minusSeconds(600), Fixtures.NOW);

    private static Map<String, RemediationAction> actions;
    private static AnalysisRequest request;
    private static Map<String, Object> strictSchema;

    @BeforeAll
    static void loadTheRegisteredActions() {
        ProviderContext context = new EngineContexts.Provider(ConfigView.empty(), Optional.empty(),
                Clock.fixed(Fixtures.NOW, ZoneOffset.UTC), () -> new ObjectIndex(List.of()), OutcomeHistory.none());
        List<String> problems = new ArrayList<>();
        actions = new LinkedHashMap<>();
        for (RemediationAction a : ProviderDiscovery.load(RemediationActionProvider.class, RealActionCatalogTest.class.getClassLoader(),
                context, RemediationActionProvider::enabled, RemediationActionProvider::create,
                (type, provider, problem) -> problems.add(provider + ": " + problem))) {
            actions.put(a.id(), a);
        }
        assertTrue(problems.isEmpty(), "providers that failed to load: " + problems);
        request = new AnalysisRequest(INCIDENT, null, actions.values().stream().map(RemediationAction::descriptor).toList());
        strictSchema = ResponseSchema.build(request, 3, true);
    }

    @Test
    void everyRegisteredActionHasAStrictBranch() {
        assertTrue(actions.keySet().containsAll(Set.of("restart-pod", "rollout-restart", "scale", "rollback-deployment",
                "adjust-resources", "patch-configmap", "patch-secret", "cordon-node", "drain-node")), actions.keySet().toString());
        for (RemediationAction a : actions.values()) {
            assertFalse(ResponseSchema.targets(a.descriptor(), INCIDENT).isEmpty(),
                    a.id() + " accepts " + a.targetKinds() + ", none of them among the test incident's resources: add one");
        }
        assertEquals(new TreeSet<>(actions.keySet()), new TreeSet<>(branches(strictSchema).keySet()));
        assertEquals("object", strictSchema.get("type"), "the root of a strict schema is an object");
        assertStrict(strictSchema, "#", 0);
    }

    @Test
    void theStrictSchemaIsAValidJsonSchema() {
        JsonSchema meta = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(SchemaLocation.of(SchemaId.V202012));
        Set<ValidationMessage> errors = meta.validate(Fixtures.JSON.valueToTree(strictSchema));
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @TestFactory
    Stream<DynamicTest> aSampleAnswerForEachActionIsAccepted() {
        return actions.values().stream().flatMap(a -> Stream.of(
                DynamicTest.dynamicTest(a.id() + " with every parameter", () -> sampleIsAccepted(a, true)),
                DynamicTest.dynamicTest(a.id() + " with optional parameters null", () -> sampleIsAccepted(a, false))));
    }

    private static void sampleIsAccepted(RemediationAction action, boolean everyParameter) {
        Map<String, Object> branch = branches(strictSchema).get(action.id());
        Object parameters = sample(map(map(branch.get("properties")).get("parameters")), everyParameter, action.id() + ".parameters");
        ResourceRef target = ResponseSchema.targets(action.descriptor(), INCIDENT).get(0);
        Map<String, Object> targetNode = new LinkedHashMap<>();
        targetNode.put("kind", target.kind());
        targetNode.put("namespace", target.namespace());
        targetNode.put("name", target.name());
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("type", action.id());
        item.put("target", targetNode);
        item.put("parameters", parameters);
        item.put("rationale", "the sample for " + action.id());
        item.put("confidence", 0.7);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("reasoning", "a sample answer");
        answer.put("root_cause", "a sample root cause");
        answer.put("category", "sample");
        answer.put("confidence", 0.8);
        answer.put("actions", List.of(item));
        JsonNode json = Fixtures.JSON.valueToTree(answer);

        // what a server enforcing the strict schema would let through ...
        Set<ValidationMessage> strictErrors = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(Fixtures.JSON.valueToTree(strictSchema)).validate(json);
        assertTrue(strictErrors.isEmpty(), "the sample does not fit the strict schema: " + strictErrors + "\n" + json);
        // ... is accepted, with parameters the real action takes
        AnswerValidator.Result result = new AnswerValidator().validate(json.toString(), request, strictSchema);
        AnswerValidator.Accepted accepted = assertInstanceOf(AnswerValidator.Accepted.class, result, () -> result + "\n" + json);
        assertEquals(1, accepted.actions().size());
        ProposedAction proposed = accepted.actions().get(0);
        assertEquals(action.id(), proposed.actionType());
        assertTrue(proposed.target().sameTarget(target), proposed.target().toString());
        assertTrue(action.targetKinds().contains(proposed.target().kind()));
        List<String> problems = new ParameterValidator().validate(action.id(), action.parametersSchema(), proposed.parameters());
        assertTrue(problems.isEmpty(), action.id() + " " + proposed.parameters() + ": " + problems);
        if (everyParameter) {
            assertEquals(properties(action.parametersSchema()), new TreeSet<>(proposed.parameters().keySet()),
                    "every parameter given reaches the action");
        }

        // the lenient form (json_object mode) takes the same parameters in the action's own shape
        Map<String, Object> lenientSchema = ResponseSchema.build(request, 3, false);
        item.put("parameters", proposed.parameters());
        AnswerValidator.Result lenient = new AnswerValidator().validate(Fixtures.JSON.valueToTree(answer).toString(), request,
                lenientSchema);
        AnswerValidator.Accepted lenientAccepted = assertInstanceOf(AnswerValidator.Accepted.class, lenient, lenient::toString);
        assertEquals(proposed.parameters(), lenientAccepted.actions().get(0).parameters());
    }

    @Test
    void patchConfigMapDataSurvivesTheStrictForm() {
        Map<String, Object> branch = branches(strictSchema).get("patch-configmap");
        Map<String, Object> data = map(map(map(map(branch.get("properties")).get("parameters")).get("properties")).get("data"));
        assertEquals("array", data.get("type"), "a map is a list of pairs in the strict form");
        String answer = """
                {"reasoning": "r", "root_cause": "LOG_LEVEL is invalid", "category": "bad-config", "confidence": 0.8,
                 "actions": [{"type": "patch-configmap", "target": {"kind": "ConfigMap", "namespace": "shop", "name": "web-config"},
                   "parameters": {"data": [{"key": "LOG_LEVEL", "value": "info"}, {"key": "TIMEOUT", "value": "30s"}],
                                  "rollConsumers": null},
                   "rationale": "fix the level", "confidence": 0.7}]}""";
        AnswerValidator.Result r = new AnswerValidator().validate(answer, request, strictSchema);
        AnswerValidator.Accepted a = assertInstanceOf(AnswerValidator.Accepted.class, r, r::toString);
        assertEquals(Map.of("data", Map.of("LOG_LEVEL", "info", "TIMEOUT", "30s")), a.actions().get(0).parameters());

        String twice = answer.replace("\"TIMEOUT\"", "\"LOG_LEVEL\"");
        AnswerValidator.Rejected rejected = assertInstanceOf(AnswerValidator.Rejected.class,
                new AnswerValidator().validate(twice, request, strictSchema));
        assertTrue(rejected.reasons().contains("actions[0].parameters.data: key 'LOG_LEVEL' given twice"), rejected.reasons().toString());

        String badKey = answer.replace("\"TIMEOUT\"", "\"../etc/passwd\"");
        AnswerValidator.Rejected rejectedKey = assertInstanceOf(AnswerValidator.Rejected.class,
                new AnswerValidator().validate(badKey, request, strictSchema));
        assertTrue(rejectedKey.reasons().toString().contains("actions[0].parameters.data"), rejectedKey.reasons().toString());
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private static Map<String, Map<String, Object>> branches(Map<String, Object> schema) {
        Map<String, Object> items = map(map(map(schema.get("properties")).get("actions")).get("items"));
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Object b : (List<?>) items.get("anyOf")) {
            Map<String, Object> branch = map(b);
            List<?> type = (List<?>) map(map(branch.get("properties")).get("type")).get("enum");
            assertEquals(1, type.size(), "one action type per branch: " + type);
            out.put(String.valueOf(type.get(0)), branch);
        }
        return out;
    }

    private static Set<String> properties(Map<String, Object> schema) {
        Object p = schema.get("properties");
        Set<String> out = new TreeSet<>();
        if (p instanceof Map<?, ?> m) m.keySet().forEach(k -> out.add(String.valueOf(k)));
        return out;
    }

    /** The Structured Outputs subset: closed objects listing every property as required, known keywords and types only. */
    private static void assertStrict(Object node, String path, int objectDepth) {
        if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) assertStrict(l.get(i), path + "[" + i + "]", objectDepth);
            return;
        }
        if (!(node instanceof Map<?, ?> m)) return;
        for (Object k : m.keySet()) {
            assertTrue(STRICT_KEYWORDS.contains(String.valueOf(k)), path + " uses " + k + ", outside the strict subset");
        }
        Object type = m.get("type");
        Collection<?> types = type instanceof Collection<?> c ? c : type == null ? List.of() : List.of(type);
        for (Object t : types) assertTrue(JSON_TYPES.contains(String.valueOf(t)), path + " has type " + t);
        assertTrue(type != null || m.containsKey("anyOf") || m.containsKey("enum") || m.containsKey("const"),
                path + " has neither a type nor anyOf/enum/const");
        int depth = objectDepth;
        if (types.contains("object")) {
            depth++;
            assertTrue(depth <= MAX_OBJECT_DEPTH, path + " nests objects " + depth + " deep");
            assertEquals(Boolean.FALSE, m.get("additionalProperties"), path + " additionalProperties");
            assertTrue(m.get("properties") instanceof Map, path + " has no properties");
            assertTrue(m.get("required") instanceof List, path + " has no required list");
            assertEquals(properties(map(m)), new TreeSet<>(((List<?>) m.get("required")).stream().map(String::valueOf).toList()),
                    path + " required");
            int inner = depth;
            map(m.get("properties")).forEach((k, v) -> assertStrict(v, path + "/" + k, inner));
        }
        if (types.contains("array")) {
            assertTrue(m.get("items") instanceof Map, path + " has no items schema");
            assertStrict(m.get("items"), path + "/items", depth);
        }
        if (m.get("anyOf") instanceof List<?> branches) assertStrict(branches, path + "/anyOf", depth);
        if (m.get("pattern") instanceof String p) Pattern.compile(p);
    }

    /**
     * A value the strict schema admits: every nullable part filled when {@code everyParameter}, else null;
     * the first enum value; numbers inside their bounds; strings matching their pattern.
     */
    private static Object sample(Map<String, Object> s, boolean everyParameter, String path) {
        if (s.get("anyOf") instanceof List<?> branches) {
            for (Object b : branches) {
                Map<String, Object> branch = map(b);
                if (!"null".equals(branch.get("type"))) return sample(branch, everyParameter, path);
            }
            return null;
        }
        Object rawType = s.get("type");
        List<Object> types = rawType instanceof Collection<?> c ? new ArrayList<>(c) : new ArrayList<>(List.of(rawType));
        if (types.contains("null") && !everyParameter) return null;
        types.remove("null");
        if (s.get("enum") instanceof List<?> values) {
            for (Object v : values) if (v != null) return v;
        }
        String type = String.valueOf(types.get(0));
        switch (type) {
            case "object": {
                Map<String, Object> out = new LinkedHashMap<>();
                map(s.get("properties")).forEach((k, v) -> out.put(k, sample(map(v), everyParameter, path + "." + k)));
                return out;
            }
            case "array": {
                int n = s.get("minItems") instanceof Number min ? Math.max(1, min.intValue()) : 1;
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < n; i++) out.add(sample(map(s.get("items")), everyParameter, path + "[" + i + "]"));
                return out;
            }
            case "string": {
                if (!(s.get("pattern") instanceof String p)) return "sample";
                for (String candidate : SAMPLE_STRINGS) if (Pattern.compile(p).matcher(candidate).find()) return candidate;
                return fail(path + ": no sample string matches " + p + "; add one to SAMPLE_STRINGS");
            }
            case "integer": {
                long v = s.get("minimum") instanceof Number min ? min.longValue()
                        : s.get("exclusiveMinimum") instanceof Number min ? min.longValue() + 1 : 1;
                return v;
            }
            case "number": {
                double low = s.get("minimum") instanceof Number min ? min.doubleValue()
                        : s.get("exclusiveMinimum") instanceof Number min ? min.doubleValue() + 0.5 : 1.0;
                return s.get("maximum") instanceof Number max ? Math.min(low, max.doubleValue()) : low;
            }
            case "boolean":
                return true;
            default:
                return fail(path + ": cannot make a sample of type " + type);
        }
    }
}

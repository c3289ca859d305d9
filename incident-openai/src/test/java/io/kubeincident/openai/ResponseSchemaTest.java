package io.kubeincident.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.AnalysisRequest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResponseSchemaTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    private static List<Map<String, Object>> branches(Map<String, Object> schema) {
        Map<String, Object> actions = map(map(schema.get("properties")).get("actions"));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object b : list(map(actions.get("items")).get("anyOf"))) out.add(map(b));
        return out;
    }

    private static Map<String, Object> branch(Map<String, Object> schema, String type) {
        for (Map<String, Object> b : branches(schema)) {
            if (list(map(map(b.get("properties")).get("type")).get("enum")).equals(List.of(type))) return b;
        }
        throw new AssertionError("no branch for " + type);
    }

    /** Structured Outputs: every object lists all its properties as required and allows nothing else. */
    private static void assertStrict(Object node, String path) {
        if (node instanceof Map<?, ?> m) {
            if ("object".equals(m.get("type")) || (m.get("type") instanceof List<?> t && t.contains("object"))) {
                Map<String, Object> props = map(m.get("properties"));
                assertEquals(Boolean.FALSE, m.get("additionalProperties"), path + " additionalProperties");
                assertEquals(Set.copyOf(props.keySet()), Set.copyOf(list(m.get("required"))), path + " required");
            }
            for (String bad : List.of("default", "minLength", "maxLength", "oneOf", "allOf", "$ref", "examples")) {
                assertFalse(m.containsKey(bad), path + " keeps unsupported keyword " + bad);
            }
            m.forEach((k, v) -> {
                if (!"enum".equals(k) && !"required".equals(k)) assertStrict(v, path + "/" + k);
            });
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) assertStrict(l.get(i), path + "[" + i + "]");
        }
    }

    @Test
    void strictSchemaFollowsTheStructuredOutputsSubset() {
        Map<String, Object> schema = ResponseSchema.build(Fixtures.crashRequest(), 3, true);

        assertStrict(schema, "#");
        assertEquals(3, map(map(schema.get("properties")).get("actions")).get("maxItems"));
        assertEquals(0, map(map(schema.get("properties")).get("confidence")).get("minimum"));
        assertEquals(1, map(map(schema.get("properties")).get("confidence")).get("maximum"));
    }

    @Test
    void eachActionIsOneBranchWithItsTypeAndTheIncidentsTargetsAsEnums() {
        Map<String, Object> schema = ResponseSchema.build(Fixtures.crashRequest(), 3, true);

        assertEquals(5, branches(schema).size());
        Map<String, Object> restart = map(map(branch(schema, "restart-pod").get("properties")).get("target"));
        Map<String, Object> targetProps = map(restart.get("properties"));
        assertEquals(List.of("Pod"), map(targetProps.get("kind")).get("enum"));
        assertEquals(List.of("default"), map(targetProps.get("namespace")).get("enum"));
        assertEquals(List.of("web-7c9d8-abcde", "web-7c9d8-fghij"), map(targetProps.get("name")).get("enum"));
        Map<String, Object> scaleTarget = map(map(map(branch(schema, "scale").get("properties")).get("target")).get("properties"));
        assertEquals(List.of("web"), map(scaleTarget.get("name")).get("enum"));
    }

    @Test
    void actionsWithoutATargetInTheIncidentAreLeftOut() {
        List<ActionDescriptor> actions = new ArrayList<>(Fixtures.actions());
        actions.add(new ActionDescriptor("cordon-node", "mark a node unschedulable", Set.of("Node"), Map.of("type", "object")));
        Map<String, Object> schema = ResponseSchema.build(new AnalysisRequest(Fixtures.crashLoop(), null, actions), 3, true);

        assertEquals(5, branches(schema).size());
        for (Map<String, Object> b : branches(schema)) {
            assertFalse(map(map(b.get("properties")).get("type")).get("enum").equals(List.of("cordon-node")));
        }
    }

    @Test
    void optionalParametersBecomeNullableAndUnsupportedKeywordsGo() {
        Map<String, Object> schema = ResponseSchema.build(Fixtures.crashRequest(), 3, true);
        Map<String, Object> params = map(map(branch(schema, "adjust-resources").get("properties")).get("parameters"));
        Map<String, Object> p = map(params.get("properties"));

        assertEquals(List.of("number", "null"), map(p.get("factor")).get("type"));
        assertEquals(4, map(p.get("factor")).get("maximum"));
        assertFalse(map(p.get("factor")).containsKey("default"));
        assertEquals("string", map(p.get("container")).get("type"));
        assertFalse(map(p.get("container")).containsKey("minLength"));
        assertEquals(List.of("memory", "cpu"), map(p.get("resource")).get("enum"));
    }

    @Test
    void nullableEnumsAndUntypedSchemasAreRewrittenSafely() {
        Map<String, Object> nullableEnum = ResponseSchema.strictify(Map.of("type", "string", "enum", List.of("a", "b")), true);
        assertEquals(List.of("string", "null"), nullableEnum.get("type"));
        assertTrue(list(nullableEnum.get("enum")).contains(null));

        Map<String, Object> untyped = ResponseSchema.strictify(Map.of("description", "anything"), false);
        assertEquals("string", untyped.get("type"));

        Map<String, Object> oneOf = ResponseSchema.strictify(Map.of("oneOf", List.of(Map.of("type", "integer"),
                Map.of("type", "string"))), true);
        assertEquals(3, list(oneOf.get("anyOf")).size());
        assertFalse(oneOf.containsKey("oneOf"));

        Map<String, Object> nested = ResponseSchema.strictify(Map.of("type", "object", "properties",
                Map.of("limits", Map.of("type", "object", "properties", Map.of("memory", Map.of("type", "string"))))), false);
        assertStrict(nested, "#");
        assertEquals(List.of("object", "null"), map(map(nested.get("properties")).get("limits")).get("type"));
    }

    @Test
    void aMapBecomesAListOfKeyValuePairsAndBackAgain() {
        Map<String, Object> data = Map.of("type", "object", "description", "keys to set",
                "propertyNames", Map.of("pattern", "^[-._a-zA-Z0-9]+$", "maxLength", 253),
                "additionalProperties", Map.of("type", "string", "maxLength", 100),
                "minProperties", 1, "maxProperties", 20);
        Map<String, Object> schema = Map.of("type", "object", "required", List.of("data"), "additionalProperties", false,
                "properties", Map.of("data", data, "roll", Map.of("type", "boolean")));

        Map<String, Object> strict = ResponseSchema.strictify(schema, false);
        assertStrict(strict, "#");
        Map<String, Object> pairs = map(map(strict.get("properties")).get("data"));
        assertEquals("array", pairs.get("type"));
        assertEquals(1, pairs.get("minItems"));
        assertEquals(20, pairs.get("maxItems"));
        Map<String, Object> pair = map(map(pairs.get("items")).get("properties"));
        assertEquals("^[-._a-zA-Z0-9]+$", map(pair.get("key")).get("pattern"));
        assertEquals("string", map(pair.get("value")).get("type"));
        assertTrue(String.valueOf(pairs.get("description")).startsWith("keys to set; as a list of {key, value} pairs"));

        List<String> problems = new ArrayList<>();
        JsonNode answer = Fixtures.JSON.valueToTree(Map.of("roll", true,
                "data", List.of(Map.of("key", "LOG_LEVEL", "value", "debug"), Map.of("key", "TIMEOUT", "value", "30s"))));
        JsonNode back = ResponseSchema.pairsToMap(schema, answer, "p", problems);
        assertEquals(Fixtures.JSON.valueToTree(Map.of("roll", true, "data", Map.of("LOG_LEVEL", "debug", "TIMEOUT", "30s"))), back);
        assertTrue(problems.isEmpty(), problems.toString());
        // the lenient form already holds the map: left as it is
        JsonNode lenient = Fixtures.JSON.valueToTree(Map.of("data", Map.of("LOG_LEVEL", "debug")));
        assertEquals(lenient, ResponseSchema.pairsToMap(schema, lenient, "p", problems));

        JsonNode twice = Fixtures.JSON.valueToTree(Map.of("data",
                List.of(Map.of("key", "A", "value", "1"), Map.of("key", "A", "value", "2"))));
        ResponseSchema.pairsToMap(schema, twice, "actions[0].parameters", problems);
        assertEquals(List.of("actions[0].parameters.data: key 'A' given twice"), problems);
    }

    @Test
    void noUsableActionMeansNoActionCanBeAnswered() {
        Map<String, Object> schema = ResponseSchema.build(new AnalysisRequest(Fixtures.crashLoop(), null, List.of()), 3, true);

        assertEquals(0, map(map(schema.get("properties")).get("actions")).get("maxItems"));
        assertStrict(schema, "#");
    }

    @Test
    void lenientVariantKeepsTheActionsOwnParameterSchema() {
        Map<String, Object> schema = ResponseSchema.build(Fixtures.crashRequest(), 3, false);
        Map<String, Object> params = map(map(branch(schema, "adjust-resources").get("properties")).get("parameters"));

        assertEquals(List.of("container", "resource"), params.get("required"));
        assertInstanceOf(Map.class, map(params.get("properties")).get("factor"));
        assertEquals(1.5, map(map(params.get("properties")).get("factor")).get("default"));
    }
}

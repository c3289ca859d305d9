package io.kubeincident.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Argo CD swagger (a copy in the test resources, origin noted beside it), and checks that a request or a response has its shape:
 * every path, method, query parameter and body field must exist there.
 */
final class SwaggerSpec {
    /** A copy of the official swagger kept with the tests (origin and licence in specs/README.md beside it). */
    static final String RESOURCE = "/specs/argocd-swagger.json";

    private final JsonNode root;

    private SwaggerSpec(JsonNode root) {
        this.root = root;
    }

    /** Loads the swagger from the test class path; fails the test when it is missing or unreadable. */
    static SwaggerSpec load() {
        try (var in = SwaggerSpec.class.getResourceAsStream(RESOURCE)) {
            if (in == null) fail("the Argo CD swagger is missing from the test class path: " + RESOURCE);
            return new SwaggerSpec(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new AssertionError("cannot parse " + RESOURCE + ": " + e, e);
        }
    }

    /** The operation for {@code method} on a concrete {@code path}, or null. */
    JsonNode operation(String method, String path) {
        JsonNode best = null;
        int bestLiterals = -1;
        for (Map.Entry<String, JsonNode> e : root.path("paths").properties()) {
            String template = e.getKey();
            JsonNode op = e.getValue().get(method.toLowerCase());
            if (op == null) continue;
            String regex = "\\Q" + template.replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q") + "\\E";
            if (Pattern.matches(regex, path)) {
                int literals = template.replaceAll("\\{[^}]+}", "").length();
                if (literals > bestLiterals) {
                    best = op;
                    bestLiterals = literals;
                }
            }
        }
        return best;
    }

    /** Every problem of one request; empty when the swagger describes it all. */
    List<String> checkRequest(String method, String path, Map<String, List<String>> query, String body) {
        List<String> problems = new ArrayList<>();
        JsonNode op = operation(method, path);
        String where = method + " " + path;
        if (op == null) {
            problems.add(where + ": no such path and method in the swagger");
            return problems;
        }
        Map<String, JsonNode> queryParams = new LinkedHashMap<>();
        JsonNode bodySchema = null;
        for (JsonNode p : op.path("parameters")) {
            if ("query".equals(p.path("in").asText())) queryParams.put(p.path("name").asText(), p);
            if ("body".equals(p.path("in").asText())) bodySchema = p.path("schema");
        }
        for (String q : query.keySet()) {
            if (!queryParams.containsKey(q)) problems.add(where + ": query parameter '" + q + "' is not in the swagger");
            else if (query.get(q).size() > 1 && !"array".equals(queryParams.get(q).path("type").asText())) {
                problems.add(where + ": query parameter '" + q + "' repeated but not an array");
            }
        }
        boolean hasBody = body != null && !body.isBlank();
        if (hasBody && bodySchema == null) {
            problems.add(where + ": sends a body but the operation takes none");
        } else if (hasBody) {
            try {
                problems.addAll(checkValue(new ObjectMapper().readTree(body), bodySchema, where + " body"));
            } catch (IOException e) {
                problems.add(where + ": body is not JSON: " + body);
            }
        }
        return problems;
    }

    /** Every problem of one answer of {@code method path} with {@code status}. */
    List<String> checkResponse(String method, String path, int status, String body) {
        JsonNode op = operation(method, path);
        if (op == null) return List.of(method + " " + path + ": no such path and method in the swagger");
        JsonNode schema = status >= 200 && status < 300 ? op.path("responses").path("200").path("schema")
                : op.path("responses").path("default").path("schema");
        if (schema.isMissingNode() || body == null || body.isBlank()) return List.of();
        try {
            JsonNode node = new ObjectMapper().readTree(body);
            return checkValue(node, schema, method + " " + path + " " + status + " answer");
        } catch (IOException e) {
            // A non-JSON error body (Argo CD's plain-text 415) has no schema to follow.
            return status >= 400 ? List.of() : List.of(method + " " + path + ": answer is not JSON");
        }
    }

    /** Checks a JSON value against a schema: field names exist, scalar types agree. */
    List<String> checkValue(JsonNode value, JsonNode schema, String at) {
        List<String> problems = new ArrayList<>();
        check(value, schema, at, problems);
        return problems;
    }

    private void check(JsonNode value, JsonNode schema, String at, List<String> problems) {
        schema = deref(schema);
        if (value == null || value.isNull()) return;
        Map<String, JsonNode> props = new LinkedHashMap<>();
        collectProperties(schema, props);
        String type = schema.path("type").asText("");
        if (!props.isEmpty() || "object".equals(type)) {
            if (!value.isObject()) {
                problems.add(at + ": expected an object, was " + value.getNodeType());
                return;
            }
            JsonNode additional = schema.get("additionalProperties");
            for (Map.Entry<String, JsonNode> f : value.properties()) {
                JsonNode p = props.get(f.getKey());
                if (p != null) {
                    check(f.getValue(), p, at + "." + f.getKey(), problems);
                } else if (additional != null && additional.isObject()) {
                    check(f.getValue(), additional, at + "." + f.getKey(), problems);
                } else {
                    problems.add(at + ": field '" + f.getKey() + "' is not in the swagger");
                }
            }
            return;
        }
        switch (type) {
            case "array" -> {
                if (!value.isArray()) {
                    problems.add(at + ": expected an array, was " + value.getNodeType());
                    return;
                }
                int i = 0;
                for (JsonNode item : value) check(item, schema.path("items"), at + "[" + i++ + "]", problems);
            }
            case "string" -> {
                if (!value.isTextual()) problems.add(at + ": expected a string, was " + value.getNodeType());
            }
            case "integer" -> {
                // grpc-gateway writes int64 as a string or a number and reads both
                boolean ok = value.isIntegralNumber() || (value.isTextual() && value.asText().matches("-?\\d+"));
                if (!ok) problems.add(at + ": expected an integer, was " + value);
            }
            case "number" -> {
                if (!value.isNumber()) problems.add(at + ": expected a number, was " + value);
            }
            case "boolean" -> {
                if (!value.isBoolean()) problems.add(at + ": expected a boolean, was " + value);
            }
            default -> {
            }
        }
    }

    private void collectProperties(JsonNode schema, Map<String, JsonNode> into) {
        schema = deref(schema);
        for (Map.Entry<String, JsonNode> e : schema.path("properties").properties()) {
            into.put(e.getKey(), e.getValue());
        }
        for (JsonNode part : schema.path("allOf")) collectProperties(part, into);
    }

    private JsonNode deref(JsonNode schema) {
        int guard = 0;
        while (schema != null && schema.has("$ref") && guard++ < 20) {
            String ref = schema.get("$ref").asText();
            String name = ref.substring(ref.lastIndexOf('/') + 1);
            schema = root.path("definitions").path(name);
        }
        return schema;
    }

    JsonNode definition(String name) {
        return root.path("definitions").path(name);
    }
}

package io.kubeincident.core.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Validates proposed parameters against an action's JSON Schema (draft 2020-12). */
public final class ParameterValidator {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();

    /** The problems, empty when {@code parameters} match {@code schema}. */
    public List<String> validate(String actionType, Map<String, Object> schema, Map<String, Object> parameters) {
        JsonSchema compiled;
        try {
            compiled = schemas.computeIfAbsent(actionType, k -> FACTORY.getSchema(MAPPER.valueToTree(schema)));
        } catch (RuntimeException e) {
            return List.of("action " + actionType + " declares an invalid parameter schema: " + e.getMessage());
        }
        JsonNode node = MAPPER.valueToTree(parameters);
        Set<ValidationMessage> errors = compiled.validate(node);
        return errors.stream().map(m -> "parameter " + m.getMessage()).sorted().toList();
    }
}

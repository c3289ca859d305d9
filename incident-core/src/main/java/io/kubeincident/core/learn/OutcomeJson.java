package io.kubeincident.core.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubeincident.api.OutcomeRecord;
import io.kubeincident.api.ResourceRef;

import java.time.Instant;
import java.util.Optional;

/** One {@link OutcomeRecord} per JSON line, snake-case, as the file and ConfigMap stores keep them. */
final class OutcomeJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private OutcomeJson() {
    }

    static String write(OutcomeRecord r) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("at", r.at().toString());
        n.put("incident_type", r.incidentType());
        n.put("category", r.category());
        n.put("action", r.actionType());
        n.put("kind", r.rootResource().kind());
        if (r.rootResource().namespace() != null) n.put("namespace", r.rootResource().namespace());
        n.put("name", r.rootResource().name());
        n.put("outcome", r.outcome().name());
        return n.toString();
    }

    /** The record on {@code line}, or empty when the line is not one (a torn write, a hand edit). */
    static Optional<OutcomeRecord> read(String line) {
        if (line == null || line.isBlank()) return Optional.empty();
        try {
            JsonNode n = MAPPER.readTree(line);
            ResourceRef root = new ResourceRef(n.path("kind").asText(), n.hasNonNull("namespace") ? n.get("namespace").asText() : null,
                    n.path("name").asText(), null);
            return Optional.of(new OutcomeRecord(n.path("incident_type").asText(), n.path("category").asText(),
                    n.path("action").asText(), root, OutcomeRecord.Outcome.valueOf(n.path("outcome").asText()),
                    Instant.parse(n.path("at").asText())));
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}

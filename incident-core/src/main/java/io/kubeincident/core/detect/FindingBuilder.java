package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.api.Redactor;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds a {@link Finding}, skipping empty facts and redacting free text (messages come from the cluster). */
final class FindingBuilder {
    private final String detectorId;
    private final String type;
    private final ResourceRef resource;
    private Severity severity;
    private String message = "";
    private Instant observedAt;
    private final Map<String, String> facts = new LinkedHashMap<>();

    private FindingBuilder(String detectorId, String type, Severity severity, ResourceRef resource) {
        this.detectorId = detectorId;
        this.type = type;
        this.severity = severity;
        this.resource = resource;
    }

    static FindingBuilder of(String detectorId, String type, Severity severity, ResourceRef resource) {
        return new FindingBuilder(detectorId, type, severity, resource);
    }

    FindingBuilder severity(Severity s) {
        this.severity = s;
        return this;
    }

    FindingBuilder message(String m) {
        this.message = m;
        return this;
    }

    FindingBuilder observedAt(Instant at) {
        this.observedAt = at;
        return this;
    }

    FindingBuilder fact(String key, Object value) {
        if (value == null) return this;
        String s = String.valueOf(value);
        if (!s.isBlank()) facts.put(key, s);
        return this;
    }

    FindingBuilder facts(Map<String, String> more) {
        more.forEach(this::fact);
        return this;
    }

    boolean hasFact(String key) {
        return facts.containsKey(key);
    }

    Finding build(Instant fallbackTime) {
        Map<String, String> clean = new LinkedHashMap<>();
        facts.forEach((k, v) -> clean.put(k, Redactor.redact(v)));
        return new Finding(detectorId, type, severity, resource, Redactor.redact(message), clean,
                observedAt != null ? observedAt : fallbackTime);
    }
}

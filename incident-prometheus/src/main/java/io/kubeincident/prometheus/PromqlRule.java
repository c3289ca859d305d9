package io.kubeincident.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubeincident.api.Ids;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A user rule: every series {@code expr} returns is a firing condition; held for {@code for}, it becomes a finding
 * of {@code type} on the resource its labels name ({@code labels} overrides {@code prometheus.labels.*} for this rule).
 *
 * <pre>
 * prometheus:
 *   rules:
 *     - name: high-5xx
 *       expr: sum by (namespace, deployment) (rate(http_requests_total{code=~"5.."}[5m])) > 1
 *       for: 5m
 *       severity: high
 *       type: alert
 *       labels: {deployment: deployment}
 * </pre>
 */
public record PromqlRule(String name, String expr, Duration forDuration, Severity severity, String type,
                         Map<String, String> labels) {
    static final Set<String> FIELDS = Set.of("name", "expr", "for", "severity", "type", "labels");

    public PromqlRule {
        Ids.requireKebab(name, "name");
        labels = Map.copyOf(labels);
    }

    static PromqlRule parse(JsonNode n, int index, List<String> problems) {
        String where = PrometheusConfig.PREFIX + "rules[" + index + "]";
        int before = problems.size();
        PrometheusConfig.onlyFields(n, where, FIELDS, problems);
        if (!n.isObject()) return null;
        String name = PrometheusConfig.text(n, "name", where, true, problems);
        if (name != null && !Ids.isKebab(name)) problems.add(where + ": field 'name' must be kebab-case, was: " + name);
        String expr = PrometheusConfig.text(n, "expr", where, true, problems);
        Duration hold = PrometheusConfig.duration(n, "for", where, Duration.ZERO, problems);
        Severity severity = PrometheusConfig.severity(n, where, problems);
        String type = PrometheusConfig.text(n, "type", where, false, problems);
        if (type == null) type = IncidentTypes.ALERT;
        if (!Ids.isKebab(type)) problems.add(where + ": field 'type' must be a kebab-case incident type, was: " + type);
        Map<String, String> labels = labelMap(n.get("labels"), where, problems);
        if (problems.size() > before) return null;
        return new PromqlRule(name, expr, hold, severity, type, labels);
    }

    static Map<String, String> labelMap(JsonNode node, String where, List<String> problems) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (node == null || node.isNull()) return labels;
        if (!node.isObject()) {
            problems.add(where + ": field 'labels' must map resource roles to label names");
            return labels;
        }
        node.fields().forEachRemaining(e -> {
            if (!PrometheusConfig.DEFAULT_LABELS.containsKey(e.getKey())) {
                problems.add(where + ": labels: unknown role '" + e.getKey() + "' (known: " + PrometheusConfig.DEFAULT_LABELS.keySet() + ")");
            } else if (!e.getValue().asText().matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
                problems.add(where + ": labels." + e.getKey() + ": not a Prometheus label name: " + e.getValue().asText());
            } else {
                labels.put(e.getKey(), e.getValue().asText());
            }
        });
        return labels;
    }
}

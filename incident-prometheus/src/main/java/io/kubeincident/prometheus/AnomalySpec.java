package io.kubeincident.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubeincident.api.Ids;
import io.kubeincident.api.Severity;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A metric watched for anomalies per workload: its value now is compared with its values at the same time of day
 * on each of the past {@code days} days (a robust baseline: median and MAD). False-positive controls: no verdict
 * with fewer than {@code minHistory} past values; no finding unless the change from the median is at least
 * {@code minChange} in the metric's own unit and the score ({@code |now - median| / (1.4826 × MAD)}) reaches
 * {@code threshold}; a MAD of zero (a flat history) is floored at 5% of the median so a tiny wobble is no anomaly.
 *
 * @param expr   PromQL, one series per workload, e.g. {@code sum by (namespace, deployment) (rate(http_requests_total[10m]))}
 */
public record AnomalySpec(String name, String expr, int days, int minHistory, double minChange, double threshold,
                          Severity severity, Map<String, String> labels) {
    static final Set<String> FIELDS = Set.of("name", "expr", "days", "minHistory", "minChange", "threshold", "severity", "labels");
    /** The incident type of an anomaly. */
    public static final String INCIDENT_TYPE = "metric-anomaly";

    public AnomalySpec {
        Ids.requireKebab(name, "name");
        labels = Map.copyOf(labels);
    }

    static AnomalySpec parse(JsonNode n, int index, List<String> problems) {
        String where = PrometheusConfig.PREFIX + "anomalies[" + index + "]";
        int before = problems.size();
        PrometheusConfig.onlyFields(n, where, FIELDS, problems);
        if (!n.isObject()) return null;
        String name = PrometheusConfig.text(n, "name", where, true, problems);
        if (name != null && !Ids.isKebab(name)) problems.add(where + ": field 'name' must be kebab-case, was: " + name);
        String expr = PrometheusConfig.text(n, "expr", where, true, problems);
        int days = (int) PrometheusConfig.number(n, "days", where, 7, problems);
        if (days < 2 || days > 30) problems.add(where + ": field 'days' must be within 2..30, was: " + days);
        int minHistory = (int) PrometheusConfig.number(n, "minHistory", where, 3, problems);
        if (minHistory < 2 || minHistory > days) problems.add(where + ": field 'minHistory' must be within 2..days, was: " + minHistory);
        double minChange = PrometheusConfig.number(n, "minChange", where, Double.NaN, problems);
        if (Double.isNaN(minChange) && n.get("minChange") == null) {
            problems.add(where + ": field 'minChange' is required (the smallest absolute change worth a finding, in the metric's unit)");
        } else if (!(minChange >= 0)) {
            problems.add(where + ": field 'minChange' must not be negative, was: " + minChange);
        }
        double threshold = PrometheusConfig.number(n, "threshold", where, 5.0, problems);
        if (!(threshold > 0)) problems.add(where + ": field 'threshold' must be positive, was: " + threshold);
        Severity severity = PrometheusConfig.severity(n, where, problems);
        Map<String, String> labels = PromqlRule.labelMap(n.get("labels"), where, problems);
        if (problems.size() > before) return null;
        return new AnomalySpec(name, expr, days, minHistory, minChange, threshold, severity, labels);
    }
}

package io.kubeincident.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubeincident.api.Ids;
import io.kubeincident.api.Severity;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An error-ratio SLI with its objective, watched with multiwindow, multi-burn-rate alerting (the SRE workbook's):
 * fast burn when the ratio over 1h and over 5m both exceed 14.4 × the error budget (2% of a 30-day budget in an
 * hour), slow burn when over 6h and 30m both exceed 6 × (5% in six hours).
 *
 * <p>{@code errorRatio} is PromQL with {@code $window} where the range goes; its result labels name the resource
 * (namespace and deployment by default):
 * <pre>
 *   slos:
 *     - name: checkout-availability
 *       objective: 0.999
 *       errorRatio: sum by (namespace, deployment) (rate(http_requests_total{code=~"5.."}[$window]))
 *                   / sum by (namespace, deployment) (rate(http_requests_total[$window]))
 * </pre>
 */
public record SloSpec(String name, String errorRatio, double objective, Severity severity, Map<String, String> labels) {
    static final Set<String> FIELDS = Set.of("name", "errorRatio", "objective", "severity", "labels");
    /** The incident type of a burning error budget. */
    public static final String INCIDENT_TYPE = "slo-burn";

    /** A pair of windows and the burn-rate factor both must exceed. */
    public record Burn(String id, String longWindow, String shortWindow, double factor, Severity severity) {
    }

    public static final List<Burn> BURNS = List.of(
            new Burn("fast", "1h", "5m", 14.4, Severity.CRITICAL),
            new Burn("slow", "6h", "30m", 6.0, Severity.HIGH));

    public SloSpec {
        Ids.requireKebab(name, "name");
        labels = Map.copyOf(labels);
    }

    /** The error budget: 1 - objective. */
    public double budget() {
        return 1.0 - objective;
    }

    /** The PromQL that holds when both windows of {@code burn} exceed its factor × the budget. */
    public String query(Burn burn) {
        double threshold = burn.factor() * budget();
        String t = new java.math.BigDecimal(threshold).round(new java.math.MathContext(10)).stripTrailingZeros().toPlainString();
        return "(" + errorRatio.replace("$window", burn.longWindow()) + ") > " + t + " and ("
                + errorRatio.replace("$window", burn.shortWindow()) + ") > " + t;
    }

    static SloSpec parse(JsonNode n, int index, List<String> problems) {
        String where = PrometheusConfig.PREFIX + "slos[" + index + "]";
        int before = problems.size();
        PrometheusConfig.onlyFields(n, where, FIELDS, problems);
        if (!n.isObject()) return null;
        String name = PrometheusConfig.text(n, "name", where, true, problems);
        if (name != null && !Ids.isKebab(name)) problems.add(where + ": field 'name' must be kebab-case, was: " + name);
        String ratio = PrometheusConfig.text(n, "errorRatio", where, true, problems);
        if (ratio != null && !ratio.contains("$window")) {
            problems.add(where + ": field 'errorRatio' must contain $window where the range goes, e.g. rate(x[$window])");
        }
        double objective = PrometheusConfig.number(n, "objective", where, Double.NaN, problems);
        if (Double.isNaN(objective) && n.get("objective") == null) problems.add(where + ": field 'objective' is required (e.g. 0.999)");
        else if (!(objective > 0 && objective < 1)) problems.add(where + ": field 'objective' must be within (0, 1), was: " + objective);
        Severity severity = PrometheusConfig.severity(n, where, problems);
        Map<String, String> labels = PromqlRule.labelMap(n.get("labels"), where, problems);
        if (problems.size() > before) return null;
        return new SloSpec(name, ratio, objective, severity, labels);
    }
}

package io.kubeincident.prometheus;

import io.kubeincident.api.ConfigView;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configuration checks (every problem at once), the burn-rate query, anomaly scoring and the memory trend. */
class ConfigAndMathTest {

    @Test
    void badConfigurationListsEveryProblem() {
        PrometheusConfigException e = assertThrows(PrometheusConfigException.class, () -> PrometheusConfig.from(ConfigView.of(Map.of(
                "prometheus.url", "ftp://prom", "prometheus.query_timeout", "soon", "prometheus.bearer_token", "t",
                "prometheus.username", "u", "prometheus.password", "p", "prometheus.labels.pod", "bad-label",
                "prometheus.labels.cluster", "x", "prometheus.ca_file", "/nonexistent.pem",
                "prometheus.rules", "[{\"name\":\"Bad Name\",\"exp\":\"up\"}]",
                "prometheus.slos", "[{\"name\":\"s\",\"errorRatio\":\"x\",\"objective\":1.5}]"))));
        String all = String.join("\n", e.problems());
        for (String expected : List.of("prometheus.url: must be an http(s) URL", "prometheus.query_timeout: not a duration",
                "both set", "labels.pod: not a Prometheus label name", "prometheus.labels.cluster: unknown key",
                "ca_file: cannot read", "rules[0]: unknown field 'exp'", "rules[0]: field 'expr' is required",
                "must be kebab-case", "must contain $window", "'objective' must be within (0, 1)")) {
            assertTrue(all.contains(expected), "missing '" + expected + "' in:\n" + all);
        }
        assertThrows(PrometheusConfigException.class, () -> PrometheusConfig.from(ConfigView.of(Map.of(
                "prometheus.rules", "[{\"name\":\"r\",\"expr\":\"up\"}]"))), "rules need a URL");
        assertNull(PrometheusConfig.defaults().url());
    }

    @Test
    void burnRateQueryNeedsBothWindowsAboveTheFactor() {
        SloSpec slo = new SloSpec("api", "sum(rate(err[$window])) / sum(rate(all[$window]))", 0.999,
                io.kubeincident.api.Severity.HIGH, Map.of());
        assertEquals("(sum(rate(err[1h])) / sum(rate(all[1h]))) > 0.0144 and (sum(rate(err[5m])) / sum(rate(all[5m]))) > 0.0144",
                slo.query(SloSpec.BURNS.get(0)));
        assertTrue(slo.query(SloSpec.BURNS.get(1)).contains("[6h]") && slo.query(SloSpec.BURNS.get(1)).contains("[30m]"));
    }

    @Test
    void anomalyScoringHasFalsePositiveControls() {
        AnomalySpec spec = new AnomalySpec("q", "x", 7, 3, 50, 5, io.kubeincident.api.Severity.MEDIUM, Map.of());
        List<Double> week = List.of(100.0, 101.0, 99.0, 102.0, 100.0, 98.0, 101.0);
        assertTrue(MetricsDetectors.score(400, week, spec).flagged());
        assertFalse(MetricsDetectors.score(103, week, spec).flagged(), "within the baseline");
        assertNull(MetricsDetectors.score(400, List.of(100.0, 100.0), spec), "too little history: no verdict");
        // a flat history (MAD 0) does not turn a small wobble into an anomaly: minimum change and the 5% floor hold
        List<Double> flat = new ArrayList<>(List.of(10.0, 10.0, 10.0, 10.0));
        assertFalse(MetricsDetectors.score(10.4, flat, spec).flagged());
        assertFalse(MetricsDetectors.score(13, flat, spec).flagged());
        assertTrue(MetricsDetectors.score(13, flat, spec).score() > 5, "a high score alone is not enough");
    }

    @Test
    void memoryTrendTellsALeakFromASpike() {
        List<PromResult.Sample> leak = new ArrayList<>();
        List<PromResult.Sample> spike = new ArrayList<>();
        List<PromResult.Sample> sawtooth = new ArrayList<>();
        for (int i = 0; i <= 360; i++) {
            double t = i * 60.0;
            leak.add(new PromResult.Sample(t, 100 + i));
            spike.add(new PromResult.Sample(t, i > 355 ? 480 : 150));
            sawtooth.add(new PromResult.Sample(t, 100 + (i % 60) * 6));  // restarts every hour: the last hour is the segment
        }
        assertEquals(MemoryTrend.RISING_STEADILY, MemoryTrend.read(leak, 500).trend());
        assertTrue(MemoryTrend.read(leak, 500).secondsToLimit() > 0);
        assertEquals(MemoryTrend.SUDDEN_SPIKE, MemoryTrend.read(spike, 500).trend());
        assertEquals(MemoryTrend.FLAT, MemoryTrend.read(List.of(new PromResult.Sample(0, 1)), 500).trend());
        assertEquals(360 * 60.0, MemoryTrend.lastSegment(sawtooth).get(0).time(), "the segment starts at the last restart");
        assertEquals(61, MemoryTrend.lastSegment(sawtooth.subList(0, 360)).size() + 1);
    }
}

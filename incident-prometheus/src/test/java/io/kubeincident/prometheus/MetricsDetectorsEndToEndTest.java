package io.kubeincident.prometheus;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.testkit.Await;
import io.kubeincident.testkit.prometheus.PrometheusServer;
import io.kubeincident.testkit.prometheus.TextExporter;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.server.KubeServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Detectors over a real Prometheus: days of history backfilled with promtool, live series scraped from a loopback
 * exporter. The engine (continuous mode, providers discovered from configuration) opens a burn-rate incident for
 * the service that burns its error budget and not for the one within it, an anomaly incident for the workload far
 * from its same-hour baseline (not for a calm one nor one with too little history), and a user PromQL rule's
 * incident that clears when the live series goes away.
 */
class MetricsDetectorsEndToEndTest {
    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension();

    @TempDir
    Path dir;

    static String history(Instant now) {
        OpenMetrics om = new OpenMetrics();
        Instant start = now.minus(Duration.ofHours(8));
        long s8h = 8 * 3600;
        for (String deployment : List.of("checkout", "steady")) {
            String sel = "namespace=\"shop\",deployment=\"" + deployment + "\",code=";
            // 10 requests/s; checkout's error ratio goes from 0.1% to 5% for the last 70 minutes, steady stays at 0.1%
            long burnFrom = deployment.equals("checkout") ? s8h - 70 * 60 : Long.MAX_VALUE;
            om.counter("http_requests_total", sel + "\"500\"", start, now, 30, ago -> {
                long t = s8h - ago;
                return t < burnFrom ? 10 * 0.001 * t : 10 * 0.001 * burnFrom + 10 * 0.05 * (t - burnFrom);
            });
            om.counter("http_requests_total", sel + "\"200\"", start, now, 30, ago -> {
                long t = s8h - ago;
                return t < burnFrom ? 10 * 0.999 * t : 10 * 0.999 * burnFrom + 10 * 0.95 * (t - burnFrom);
            });
        }
        Instant week = now.minus(Duration.ofDays(7)).minusSeconds(600);
        // queue depth around 100 at every time of day for a week; surge jumps to 400 now, calm stays, newbie is a day old
        om.gauge("queue_depth", "namespace=\"shop\",deployment=\"surge\"", week, now, 300,
                ago -> ago < 600 ? 400 : 100 + (ago / 86400) % 3);
        om.gauge("queue_depth", "namespace=\"shop\",deployment=\"calm\"", week, now, 300, ago -> 101 + (ago / 86400) % 3);
        om.gauge("queue_depth", "namespace=\"shop\",deployment=\"newbie\"", week, now, 300,
                ago -> ago > 30 * 3600 ? Double.NaN : ago < 600 ? 400 : 100);
        return om.build();
    }

    @Test
    void burnRateAnomalyAndRuleIncidentsOpenFromRealPrometheusData() throws Exception {
        assertTrue(PrometheusServer.available(), "prometheus is not installed (.ci/run installs it)");
        for (String name : List.of("checkout", "steady", "surge", "calm", "newbie", "worker")) {
            DeploymentBuilder.deployment("shop", name).container("app").create(kube.apiClient());
        }
        try (TextExporter exporter = new TextExporter();
             PrometheusServer prom = PrometheusServer.builder(dir).backfill(history(Instant.now()))
                     .scrape(exporter.target()).start()) {
            exporter.set("# TYPE jobs_stuck gauge\njobs_stuck{namespace=\"shop\",deployment=\"worker\"} 7\n");
            Map<String, String> cfg = Map.of(
                    "prometheus.url", prom.url().toString(),
                    "prometheus.detect.interval", "1s",
                    "monitoring.scan_interval", "1",
                    "correlation.quiet_period", "0s",  // resolve at the first clear look, not after five minutes
                    "prometheus.slos", """
                            [{"name": "shop-availability", "objective": 0.999,
                              "errorRatio": "sum by (namespace, deployment) (rate(http_requests_total{code=~\\"5..\\"}[$window])) / sum by (namespace, deployment) (rate(http_requests_total[$window]))"}]""",
                    "prometheus.anomalies", """
                            [{"name": "queue-depth", "expr": "sum by (namespace, deployment) (queue_depth)", "days": 7,
                              "minHistory": 3, "minChange": 50, "threshold": 5}]""",
                    "prometheus.rules", """
                            [{"name": "jobs-stuck", "expr": "jobs_stuck > 5", "severity": "high"}]""");
            try (IncidentEngine engine = IncidentEngine.builder().apiClient(kube.apiClient()).logAudit(false).config(cfg).build()) {
                engine.start();
                IncidentReport burn = Await.value(Duration.ofSeconds(60), () -> find(engine, "slo-burn", "checkout")
                        .filter(r -> burns(r).equals(Set.of("fast", "slow"))), "a fast and slow burn incident for shop/checkout");
                assertEquals("Deployment", burn.incident().rootResource().kind());
                assertTrue(burn.incident().findings().stream().allMatch(f -> f.source().equals(Finding.SOURCE_METRICS)));
                Finding fast = burn.incident().findings().stream().filter(f -> "fast".equals(f.fact("burn"))).findFirst().orElseThrow();
                assertTrue(Double.parseDouble(fast.fact("burnRate")) > 14.4, fast.facts().toString());

                IncidentReport anomaly = Await.value(Duration.ofSeconds(30), () -> find(engine, "metric-anomaly", "surge"),
                        "an anomaly incident for shop/surge");
                Finding a = anomaly.incident().findings().get(0);
                assertTrue(Double.parseDouble(a.fact("anomalyScore")) >= 5, a.facts().toString());
                assertTrue(a.fact("anomalyBaseline").contains("over 7 days"), a.facts().toString());

                IncidentReport rule = Await.value(Duration.ofSeconds(30), () -> find(engine, "alert", "worker"),
                        "the PromQL rule's incident for shop/worker");
                assertEquals("jobs-stuck", rule.incident().findings().get(0).fact("rule"));
                assertTrue(rule.plan().isEmpty() || rule.plan().stream().noneMatch(p -> p.decision().id().equals("execute")),
                        "an alert incident is never acted on");

                Await.holds(Duration.ofSeconds(3), () -> find(engine, "slo-burn", "steady").isEmpty()
                        && find(engine, "metric-anomaly", "calm").isEmpty() && find(engine, "metric-anomaly", "newbie").isEmpty(),
                        "no incident within budget, at baseline, or with too little history");

                exporter.set("# TYPE jobs_stuck gauge\njobs_stuck{namespace=\"shop\",deployment=\"worker\"} 0\n");
                Await.until(Duration.ofSeconds(30), () -> find(engine, "alert", "worker").isEmpty(), "the rule's incident resolves");
            }
        }
    }

    private static Set<String> burns(IncidentReport r) {
        return r.incident().findings().stream().map(f -> f.fact("burn")).collect(Collectors.toSet());
    }

    private static Optional<IncidentReport> find(IncidentEngine engine, String type, String deployment) {
        return engine.openIncidents().stream().filter(r -> r.incident().type().equals(type)
                && r.incident().rootResource().name().equals(deployment)).findFirst();
    }
}

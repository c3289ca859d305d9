package io.kubeincident.prometheus;

import io.kubeincident.api.IncidentReport;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.testkit.prometheus.PrometheusServer;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two OOM-killed Deployments that look the same to the watches (same limit, same restarts); the real Prometheus
 * (Debian's 2.42, history backfilled with promtool) knows that one leaked for hours and the other spiked, and the
 * engine's diagnosis follows. Then Prometheus stops: the next scan still diagnoses both, its evidence saying why
 * metrics are missing.
 */
class MetricsEvidenceEndToEndTest {
    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension();

    @TempDir
    Path dir;

    private static final double MI = 1024 * 1024;

    static String history(Instant now) {
        Instant start = now.minus(Duration.ofHours(8));
        String leaky = "namespace=\"shop\",pod=\"leaky-%s\",container=\"app\"";
        String spiky = "namespace=\"shop\",pod=\"spiky-%s\",container=\"app\"";
        OpenMetrics om = new OpenMetrics();
        // leak: restarted 6 h ago at 100Mi, climbing steadily to just under the 512Mi limit
        om.gauge("container_memory_working_set_bytes", leaky, start, now, 60, ago ->
                ago > 6 * 3600 ? 300 * MI + (ago % 600) * 1000 : (100 + 405.0 * (6 * 3600 - ago) / (6 * 3600)) * MI);
        // spike: steady around 150Mi for hours, then 505Mi in the last five minutes
        om.gauge("container_memory_working_set_bytes", spiky, start, now, 60, ago ->
                ago <= 300 ? 505 * MI : 150 * MI + (ago % 7) * 100_000);
        for (String sel : List.of(leaky, spiky)) {
            om.gauge("kube_pod_container_resource_limits", sel + ",resource=\"memory\",unit=\"byte\"", start, now, 60, ago -> 512 * MI);
            om.gauge("kube_pod_container_resource_limits", sel + ",resource=\"cpu\",unit=\"core\"", start, now, 60, ago -> 1.0);
            om.gauge("kube_pod_container_resource_requests", sel + ",resource=\"cpu\",unit=\"core\"", start, now, 60, ago -> 0.25);
            om.counter("container_cpu_usage_seconds_total", sel, start, now, 60, ago -> (8 * 3600 - ago) * 0.2);
        }
        return om.build();
    }

    @Test
    void leakAndSpikeAreToldApartByRealMetricsAndAStoppedPrometheusDegradesEvidenceOnly() throws Exception {
        assertTrue(PrometheusServer.available(), "prometheus is not installed (.ci/run installs it)");
        Instant now = Instant.now();
        List<String> pods = new java.util.ArrayList<>();
        for (String name : List.of("leaky", "spiky")) {
            var w = DeploymentBuilder.deployment("shop", name).container("app").memoryLimit("512Mi")
                    .pods(p -> p.oomKilled(4)).create(kube.apiClient());
            pods.add(w.pods().get(0).getMetadata().getName());
        }
        String om = history(now).replace("leaky-%s", pods.get(0)).replace("spiky-%s", pods.get(1));
        try (PrometheusServer prom = PrometheusServer.builder(dir).backfill(om).start();
             IncidentEngine engine = IncidentEngine.builder().apiClient(kube.apiClient()).logAudit(false)
                     .config(Map.of("prometheus.url", prom.url().toString(), "prometheus.query_timeout", "3s")).build()) {
            Map<String, IncidentReport> byRoot = byRoot(engine.scan());
            IncidentReport leak = byRoot.get("leaky");
            IncidentReport spike = byRoot.get("spiky");
            assertNotNull(leak, byRoot.keySet().toString());
            assertNotNull(spike, byRoot.keySet().toString());
            assertEquals(leak.incident().type(), spike.incident().type(), "the watches see the same thing");

            assertEquals("rising-steadily", leak.evidence().fact("memoryTrend"), leak.evidence().facts().toString());
            assertEquals("memory-leak", leak.diagnosis().category(), leak.diagnosis().toString());
            assertEquals("oom-killed-memory-leak", leak.diagnosis().attributes().get("rule"));
            assertTrue(leak.diagnosis().actions().get(0).rationale().contains("buys time"), leak.diagnosis().actions().toString());
            assertTrue(leak.evidence().fact("memoryWorkingSet").contains("limit 512Mi"), leak.evidence().fact("memoryWorkingSet"));
            assertTrue(leak.evidence().fact("memorySlope").startsWith("+"), leak.evidence().fact("memorySlope"));
            assertNotNull(leak.evidence().fact("cpuUsage"), leak.evidence().facts().toString());

            assertEquals("sudden-spike", spike.evidence().fact("memoryTrend"), spike.evidence().facts().toString());
            assertEquals("memory-limit-too-low", spike.diagnosis().category());
            assertEquals("oom-killed-memory-spike", spike.diagnosis().attributes().get("rule"));
            assertTrue(spike.diagnosis().confidence() > leak.diagnosis().confidence());
            // compact: a few hundred tokens at most
            int chars = leak.evidence().facts().entrySet().stream().filter(e -> e.getKey().startsWith("memory")
                    || e.getKey().startsWith("cpu") || e.getKey().startsWith("restarts")).mapToInt(e -> e.getKey().length() + e.getValue().length()).sum();
            assertTrue(chars < 1200, "metrics facts take " + chars + " characters");

            prom.close();
            Map<String, IncidentReport> after = byRoot(engine.scan());
            IncidentReport degraded = after.get("leaky");
            assertNotNull(degraded, "the incident is still found and diagnosed without metrics");
            assertTrue(degraded.evidence().fact("metricsUnavailable").contains("cannot reach"), degraded.evidence().facts().toString());
            assertNull(degraded.evidence().fact("memoryTrend"));
            assertEquals("oom-killed-repeated", degraded.diagnosis().attributes().get("rule"), "the rules answer as before metrics");
            assertTrue(degraded.evidence().events().size() + degraded.evidence().ownerChain().size() > 0, "the rest of the evidence is there");
        }
    }

    private static Map<String, IncidentReport> byRoot(List<IncidentReport> reports) {
        Map<String, IncidentReport> m = new java.util.HashMap<>();
        for (IncidentReport r : reports) m.put(r.incident().rootResource().name(), r);
        return m;
    }
}

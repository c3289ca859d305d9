package io.kubeincident.prometheus;

import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.FindingSink;
import io.kubeincident.testkit.prometheus.PrometheusServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Figures, not pass/fail (run by hand; surefire skips *Benchmark):
 * {@code mvn -B -pl incident-prometheus -am test -Dtest=PrometheusBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * and read {@code incident-prometheus/target/surefire-reports/io.kubeincident.prometheus.PrometheusBenchmark-output.txt}.
 */
class PrometheusBenchmark {
    @TempDir
    Path dir;

    @Test
    void figures() throws Exception {
        assumeTrue(PrometheusServer.available());
        Instant now = Instant.now();
        String om = MetricsEvidenceEndToEndTest.history(now).replace("leaky-%s", "leaky-0").replace("spiky-%s", "spiky-0")
                .replace("# EOF\n", "") + MetricsDetectorsEndToEndTest.history(now);
        try (PrometheusServer prom = PrometheusServer.builder(dir).backfill(om).start()) {
            System.out.println("date: " + Instant.now() + "; machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version")
                    + "; Prometheus 2.42 (Debian) on loopback");
            PrometheusConfig cfg = PrometheusConfig.from(ConfigView.of(Map.of("prometheus.url", prom.url().toString(),
                    "prometheus.slos", "[{\"name\":\"shop\",\"objective\":0.999,\"errorRatio\":\"sum by (namespace, deployment) (rate(http_requests_total{code=~\\\"5..\\\"}[$window])) / sum by (namespace, deployment) (rate(http_requests_total[$window]))\"}]",
                    "prometheus.anomalies", "[{\"name\":\"queue\",\"expr\":\"sum by (namespace, deployment) (queue_depth)\",\"minChange\":50}]",
                    "prometheus.rules", "[{\"name\":\"stuck\",\"expr\":\"queue_depth > 300\"}]")));
            try (PrometheusClient client = new PrometheusClient(cfg)) {
                MetricsEvidenceContributor evidence = new MetricsEvidenceContributor(client, Clock.systemUTC());
                ResourceRef pod = ResourceRef.of("Pod", "shop", "leaky-0");
                Incident incident = new Incident("i-1", "oom-killed:Deployment/shop/leaky", "oom-killed", Severity.HIGH,
                        ResourceRef.of("Deployment", "shop", "leaky"), List.of(ResourceRef.of("Deployment", "shop", "leaky"), pod),
                        List.of(new Finding("oom", "oom-killed", Severity.HIGH, pod, "", Map.of("container", "app"), now)),
                        IncidentState.OPEN, now, now);
                for (int i = 0; i < 5; i++) evidence.facts(incident, null);  // warm-up
                long q0 = client.queryCount();
                List<Long> micros = new ArrayList<>();
                int runs = 100;
                for (int i = 0; i < runs; i++) {
                    long t = System.nanoTime();
                    evidence.facts(incident, null);
                    micros.add((System.nanoTime() - t) / 1000);
                }
                micros.sort(null);
                System.out.printf("evidence: %d incidents, %.1f queries per incident (run in parallel), latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                        runs, (client.queryCount() - q0) / (double) runs, micros.get(runs / 2) / 1000.0,
                        micros.get((int) (runs * 0.99) - 1) / 1000.0, micros.get(runs - 1) / 1000.0);
                System.out.println("evidence facts: " + evidence.facts(incident, null));
                evidence.close();

                MetricsDetectors detectors = new MetricsDetectors(client, Clock.systemUTC());
                detectors.evaluate();
                long d0 = client.queryCount();
                long t = System.nanoTime();
                int rounds = 20;
                for (int i = 0; i < rounds; i++) detectors.evaluate();
                double perRound = (client.queryCount() - d0) / (double) rounds;
                System.out.printf("detectors (1 rule, 1 SLO with 2 burns, 1 anomaly over 7 days): %.0f queries per evaluation = %.0f queries/min at detect.interval 1m; one evaluation %.1f ms%n",
                        perRound, perRound, (System.nanoTime() - t) / 1e6 / rounds);
            }
        }

        // Alert intake: parse + queue, in process (no HTTP), until the 10,000-alert queue is full (429).
        String payload = AlertsUnitTest.payload(100, "firing", "");
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        AlertIntake intake = new AlertIntake(PrometheusConfig.defaults(), Clock.systemUTC());
        for (int i = 0; i < 50; i++) {  // warm-up, then drain by attaching and detaching a sink
            intake.accept(body);
        }
        Map<String, Finding> sink = new ConcurrentHashMap<>();
        FindingSink s = new FindingSink() {
            public void report(String key, Finding f) {
                sink.put(key, f);
            }

            public void clear(String key) {
                sink.remove(key);
            }
        };
        intake.start(s);
        long t = System.nanoTime();
        int sent = 0;
        int refusals = 0;
        while (sent < 200_000) {
            if (intake.accept(body) instanceof AlertIntake.Result.Accepted) sent += 100;
            else refusals++;
        }
        while (intake.queued() > 0) Thread.sleep(1);
        double secs = (System.nanoTime() - t) / 1e9;
        System.out.printf("alert intake with a sink draining: %d alerts through in %.2f s (%.0f alerts/s), %d payloads answered 429 on the way%n",
                sent, secs, sent / secs, refusals);
        intake.close();
        while (intake.queued() > 0) Thread.sleep(10);
        t = System.nanoTime();
        int taken = 0;
        AlertIntake.Result r;
        while ((r = intake.accept(body)) instanceof AlertIntake.Result.Accepted) taken += 100;
        secs = (System.nanoTime() - t) / 1e9;
        System.out.printf("alert intake, no engine attached: %d alerts queued in %.3f s (%.0f alerts/s) until %s%n", taken, secs, taken / secs, r);
        intake.shutdown();
    }
}

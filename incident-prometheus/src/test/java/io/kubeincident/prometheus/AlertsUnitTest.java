package io.kubeincident.prometheus;

import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.FindingSink;
import io.kubeincident.testkit.Await;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The webhook payload, the label and alert-name mapping, and the intake's bounded queue. */
class AlertsUnitTest {

    static String payload(int n, String status, String extraLabels) {
        StringBuilder alerts = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) alerts.append(',');
            alerts.append("""
                    {"status":"%s","labels":{"alertname":"KubePodCrashLooping","namespace":"shop","pod":"web-%d","container":"app","severity":"critical"%s},
                     "annotations":{"summary":"Pod is crash looping."},"startsAt":"2026-12-04T10:00:00Z","endsAt":"0001-01-01T00:00:00Z",
                     "generatorURL":"http://prom/graph","fingerprint":"%016x"}""".formatted(status, i, extraLabels, i + 1));
        }
        return """
                {"version":"4","groupKey":"{}:{}","truncatedAlerts":0,"status":"%s","receiver":"kube-incident","groupLabels":{},
                 "commonLabels":{},"commonAnnotations":{},"externalURL":"http://am","alerts":[%s]}""".formatted(status, alerts);
    }

    @Test
    void mixinAlertsMapToIncidentTypesAndLabelsToResources() {
        AlertMapping m = new AlertMapping(PrometheusConfig.defaults());
        assertEquals(IncidentTypes.CRASH_LOOP, m.incidentType("KubePodCrashLooping"));
        assertEquals(IncidentTypes.READINESS_FAILING, m.incidentType("KubePodNotReady"));
        assertEquals(IncidentTypes.ROLLOUT_STUCK, m.incidentType("KubeDeploymentRolloutStuck"));
        assertEquals(IncidentTypes.ROLLOUT_STUCK, m.incidentType("KubeDeploymentReplicasMismatch"));
        assertEquals(IncidentTypes.NODE_NOT_READY, m.incidentType("KubeNodeNotReady"));
        assertEquals(IncidentTypes.JOB_FAILED, m.incidentType("KubeJobFailed"));
        assertEquals(IncidentTypes.ALERT, m.incidentType("SomethingElse"));
        assertEquals(ResourceRef.of("Pod", "shop", "web-1"), m.resource(Map.of("namespace", "shop", "pod", "web-1", "deployment", "web")).get());
        assertEquals(ResourceRef.of("Deployment", "shop", "web"), m.resource(Map.of("namespace", "shop", "deployment", "web")).get());
        assertEquals(ResourceRef.of("Job", "shop", "nightly"), m.resource(Map.of("namespace", "shop", "job_name", "nightly", "job", "kube-state-metrics")).get());
        assertEquals(ResourceRef.of("PersistentVolumeClaim", "shop", "data"), m.resource(Map.of("namespace", "shop", "persistentvolumeclaim", "data")).get());
        assertEquals(ResourceRef.cluster("Node", "worker-1"), m.resource(Map.of("node", "worker-1")).get());
        assertEquals(ResourceRef.cluster("Namespace", "shop"), m.resource(Map.of("namespace", "shop")).get());
        assertTrue(m.resource(Map.of("pod", "web-1")).isEmpty(), "a pod without its namespace names nothing");
        assertTrue(m.resource(Map.of("alertname", "Watchdog")).isEmpty());
        assertEquals(Severity.CRITICAL, AlertMapping.severity("critical"));
        assertEquals(Severity.MEDIUM, AlertMapping.severity("warning"));

        // label names and alert types are configurable
        PrometheusConfig custom = PrometheusConfig.from(ConfigView.of(Map.of("prometheus.labels.pod", "kubernetes_pod_name",
                "prometheus.labels.namespace", "kubernetes_namespace", "prometheus.alerts.types.CheckoutDown", "workload-unavailable")));
        AlertMapping c = new AlertMapping(custom);
        assertEquals(ResourceRef.of("Pod", "shop", "web-1"), c.resource(Map.of("kubernetes_namespace", "shop", "kubernetes_pod_name", "web-1")).get());
        assertEquals("workload-unavailable", c.incidentType("CheckoutDown"));
    }

    @Test
    void aFiringAlertBecomesAnAlertSourcedFindingAndAResolvedOneClearsIt() {
        AlertIntake intake = new AlertIntake(PrometheusConfig.defaults(), Clock.systemUTC());
        Map<String, Finding> sink = new ConcurrentHashMap<>();
        intake.start(new FindingSink() {
            public void report(String key, Finding f) {
                sink.put(key, f);
            }

            public void clear(String key) {
                sink.remove(key);
            }
        });
        try {
            var r = intake.accept(payload(2, "firing", "").getBytes(StandardCharsets.UTF_8));
            assertEquals(new AlertIntake.Result.Accepted(2, 0, 0), r);
            Await.until(Duration.ofSeconds(5), () -> sink.size() == 2, "two findings");
            Finding f = sink.get("alertmanager:0000000000000001");
            assertEquals(Finding.SOURCE_ALERT, f.source());
            assertEquals(IncidentTypes.CRASH_LOOP, f.incidentType());
            assertEquals(Severity.CRITICAL, f.severity());
            assertEquals("app", f.fact("container"));
            assertEquals(ResourceRef.of("Pod", "shop", "web-0"), f.resource());
            intake.accept(payload(2, "firing", "").getBytes(StandardCharsets.UTF_8));  // re-delivery
            intake.accept(payload(1, "resolved", "").getBytes(StandardCharsets.UTF_8));
            Await.until(Duration.ofSeconds(5), () -> sink.size() == 1 && intake.queued() == 0, "the resolved one cleared");
            assertTrue(sink.containsKey("alertmanager:0000000000000002"));
        } finally {
            intake.shutdown();
        }
    }

    @Test
    void aBurstBeyondTheQueueIsRefusedWhole() {
        AlertIntake intake = new AlertIntake(new AlertMapping(Map.of(), Map.of()), 100, Clock.systemUTC());
        try {
            // no engine attached: alerts wait in the queue
            assertInstanceOf(AlertIntake.Result.Accepted.class, intake.accept(payload(60, "firing", "").getBytes(StandardCharsets.UTF_8)));
            AlertIntake.Result full = intake.accept(payload(60, "firing", "").getBytes(StandardCharsets.UTF_8));
            assertEquals(new AlertIntake.Result.Full(60, 100), full);
            assertEquals(60, intake.queued(), "none of the refused payload was half taken");
            List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            intake.start(new FindingSink() {
                public void report(String key, Finding f) {
                    seen.add(key);
                }

                public void clear(String key) {
                }
            });
            Await.until(Duration.ofSeconds(5), () -> seen.size() == 60, "queued alerts reach the engine once it starts");
            assertInstanceOf(AlertIntake.Result.Accepted.class, intake.accept(payload(60, "firing", "").getBytes(StandardCharsets.UTF_8)),
                    "Alertmanager's retry is taken once there is room");
        } finally {
            intake.shutdown();
        }
    }
}

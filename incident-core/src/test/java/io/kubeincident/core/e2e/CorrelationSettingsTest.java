package io.kubeincident.core.e2e;

import io.kubeincident.api.IncidentReport;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.audit.InMemoryAuditSink;
import io.kubeincident.testkit.MutableClock;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.PodBuilder;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's incidents follow {@code correlation.*}: the same flapping workload is one incident reopened
 * with a quiet period and a reopen window, and separate incidents without them. Driven through the engine's
 * own pipeline ({@link IncidentEngine#runOnce()}: detectors → the engine's correlator → lanes), on the loopback
 * API server, with a clock the test moves.
 */
class CorrelationSettingsTest {

    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension();

    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));
    private final InMemoryAuditSink audit = new InMemoryAuditSink();
    private final List<IncidentEngine> engines = new ArrayList<>();

    @AfterEach
    void close() {
        engines.forEach(IncidentEngine::close);
    }

    private IncidentEngine engine(Map<String, String> correlation) {
        Map<String, String> config = new java.util.HashMap<>(correlation);
        config.put("remediation.mode", "approval");  // nothing runs: the test watches incidents, not actions
        IncidentEngine e = IncidentEngine.builder().apiClient(kube.apiClient()).config(config).clock(clock)
                .auditSink(audit).logAudit(false).build();
        engines.add(e);
        return e;
    }

    /** A bare crash-looping pod: its incident is rooted at the pod, and nothing else has findings. */
    private void crashing(String name) throws Exception {
        PodBuilder.pod("default", name).clock(clock).crashLoopBackOff(6).create(kube.apiClient());
    }

    private void heal(String name) throws Exception {
        new CoreV1Api(kube.apiClient()).deleteNamespacedPod(name, "default").execute();
    }

    @Test
    void aQuietPeriodKeepsTheIncidentOpenAndAReturnWithinTheReopenWindowIsTheSameIncident() throws Exception {
        IncidentEngine engine = engine(Map.of("correlation.quiet_period", "10m", "correlation.reopen_window", "30m"));
        crashing("web");
        String id = engine.runOnce().get(0).incident().id();

        heal("web");
        clock.advance(Duration.ofMinutes(1));
        engine.runOnce();  // the first clear look: the quiet period starts
        clock.advance(Duration.ofMinutes(5));
        engine.runOnce();
        assertEquals(1, engine.openIncidents().size(), "still within the quiet period: open");
        assertTrue(audit.withStep("resolved").isEmpty());

        clock.advance(Duration.ofMinutes(6));
        engine.runOnce();
        assertTrue(engine.openIncidents().isEmpty(), "clear for longer than the quiet period: resolved");
        assertEquals(id, audit.withStep("resolved").get(0).incidentId());

        clock.advance(Duration.ofMinutes(5));
        crashing("web");
        List<IncidentReport> back = engine.runOnce();
        assertEquals(1, back.size(), "planned again when it came back");
        assertEquals(id, back.get(0).incident().id(), "within the reopen window: the same incident");
        assertEquals(1, audit.withStep("reopened").size());
        assertEquals(1, audit.withStep("detected").size(), "detected once, reopened once");
    }

    @Test
    void withoutQuietPeriodOrReopenWindowAFlapIsANewIncident() throws Exception {
        IncidentEngine engine = engine(Map.of("correlation.quiet_period", "0s", "correlation.reopen_window", "0s"));
        crashing("web");
        String first = engine.runOnce().get(0).incident().id();

        heal("web");
        clock.advance(Duration.ofSeconds(30));
        engine.runOnce();
        assertTrue(engine.openIncidents().isEmpty(), "no quiet period: resolved at the first clear look");

        clock.advance(Duration.ofSeconds(30));
        crashing("web");
        List<IncidentReport> back = engine.runOnce();
        assertEquals(1, back.size());
        assertNotEquals(first, back.get(0).incident().id(), "no reopen window: a new incident");
        assertTrue(audit.withStep("reopened").isEmpty());
        assertEquals(2, audit.withStep("detected").size());
    }

    @Test
    void aStormIsOneIncidentUpToMaxResourcesObjects() throws Exception {
        IncidentEngine engine = engine(Map.of("correlation.max_resources", "4"));
        DeploymentBuilder.deployment("default", "web").replicas(10).clock(clock).pods(p -> p.crashLoopBackOff(5))
                .create(kube.apiClient());
        List<IncidentReport> reports = engine.runOnce();
        assertEquals(1, reports.size(), "ten crash-looping pods of one Deployment: one incident");
        assertEquals(4, reports.get(0).incident().resources().size(), "listing correlation.max_resources objects");
        assertEquals(1, audit.withStep("analyzed").size(), "and one analysis");
    }
}

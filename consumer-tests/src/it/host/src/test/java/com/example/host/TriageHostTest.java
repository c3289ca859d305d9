package com.example.host;

import io.kubeincident.api.Decision;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.testkit.Await;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host embeds the engine; the triage plugin, a separate jar found on the class path, takes part in
 * detection, planning, the safety chain and execution. Run on client-java 25 and 27 by the consumer tests.
 */
class TriageHostTest {
    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    static final Path CONFIG = Path.of("kube-incident.yaml");
    static final String STATUS = "health.example.com/status";
    static final String REASON = "health.example.com/reason";
    static final String PROTECTED = "triage.example.com/protected";
    static final String NOTE = "triage.example.com/note";

    @Test
    void runsOnTheClientJavaLineThisBuildIsFor() throws IOException {
        String expected = System.getProperty("expected.client-java");
        assertNotNull(expected, "the build passes expected.client-java");
        assertEquals(expected, version("client-java"), "client-java on the test class path");
        assertEquals(expected, version("client-java-api"), "client-java-api on the test class path");
        assertEquals("25.0.0", version("client-java-extended"), "client-java-extended: its last release, on both lines");
    }

    @Test
    void plansThePluginsActionAndThePluginsPolicyDeniesTheProtectedWorkload(ApiClient client) throws Exception {
        degraded("cart").create(client);
        degraded("ledger").deploymentLabel(PROTECTED, "true").create(client);

        try (IncidentEngine engine = TriageHost.engine(client, CONFIG)) {
            assertTrue(engine.actions().containsKey("mark-for-triage"), "discovered: " + engine.actions().keySet());
            assertTrue(engine.detectors().stream().anyMatch(d -> d.id().equals("self-reported-degraded")));
            assertTrue(engine.policies().stream().anyMatch(p -> p.id().equals("protected-workloads")));

            List<IncidentReport> reports = engine.scan();
            PlannedAction cart = planned(reports, "cart");
            assertEquals(Decision.EXECUTE, cart.decision(), cart.reasons().toString());
            assertEquals("payment backend unreachable", cart.action().parameters().get("note"));
            PlannedAction ledger = planned(reports, "ledger");
            assertEquals(Decision.DENIED, ledger.decision());
            assertTrue(ledger.reasons().stream().anyMatch(r -> r.contains(PROTECTED)), ledger.reasons().toString());
            assertFalse(annotations(client, "cart").containsKey(NOTE), "scan plans only");

            engine.runOnce();
            assertEquals("payment backend unreachable", annotations(client, "cart").get(NOTE), "executed");
            assertFalse(annotations(client, "ledger").containsKey(NOTE), "denied: untouched");
        }
    }

    @Test
    void theEnableSwitchTurnsThePluginActionOff(ApiClient client, @TempDir Path dir) throws Exception {
        degraded("cart").create(client);
        Path off = dir.resolve("kube-incident.yaml");
        Files.writeString(off, Files.readString(CONFIG).replace("enable_triage_marks: true", "enable_triage_marks: false"));

        try (IncidentEngine engine = TriageHost.engine(client, off)) {
            PlannedAction cart = planned(engine.scan(), "cart");
            assertEquals(Decision.DENIED, cart.decision());
            assertTrue(cart.reasons().stream().anyMatch(r -> r.contains("remediation.enable_triage_marks")), cart.reasons().toString());
        }
    }

    @Test
    void continuousModeOpensTheIncidentFromWatchEvents(ApiClient client) throws Exception {
        try (IncidentEngine engine = TriageHost.engine(client, CONFIG)) {
            engine.start();
            Await.until(Duration.ofSeconds(20), engine::isReady, "the engine's informers synced");
            degraded("cart").create(client);
            Await.until(Duration.ofSeconds(20), () -> engine.openIncidents().stream()
                    .anyMatch(r -> r.incident().type().equals("self-reported-degraded")), "an incident from the watch");
        }
    }

    private static DeploymentBuilder degraded(String name) {
        return DeploymentBuilder.deployment("shop", name).replicas(1)
                .annotation(STATUS, "degraded").annotation(REASON, "payment backend unreachable");
    }

    private static PlannedAction planned(List<IncidentReport> reports, String deployment) {
        return reports.stream()
                .filter(r -> r.incident().type().equals("self-reported-degraded"))
                .flatMap(r -> r.plan().stream())
                .filter(p -> p.action().actionType().equals("mark-for-triage") && p.action().target().name().equals(deployment))
                .findFirst().orElseThrow(() -> new AssertionError("no mark-for-triage planned for " + deployment + ": " + reports));
    }

    private static Map<String, String> annotations(ApiClient client, String name) throws Exception {
        Map<String, String> a = new AppsV1Api(client).readNamespacedDeployment(name, "shop").execute().getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    private static String version(String artifact) throws IOException {
        String path = "META-INF/maven/io.kubernetes/" + artifact + "/pom.properties";
        try (InputStream in = TriageHostTest.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) return "absent";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        }
    }
}

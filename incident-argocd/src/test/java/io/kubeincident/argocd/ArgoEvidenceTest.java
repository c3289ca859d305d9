package io.kubeincident.argocd;

import io.kubeincident.testkit.MutableClock;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.argocd.client.ArgoCdClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.kubeincident.argocd.ArgoStub.app;
import static io.kubeincident.argocd.ArgoStub.json;
import static io.kubeincident.argocd.FakeCluster.deployment;
import static io.kubeincident.argocd.FakeCluster.pod;
import static io.kubeincident.argocd.FakeCluster.replicaSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgoEvidenceTest {
    private ArgoStub stub;
    private ArgoCd argo;
    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:10:00Z"));
    private final FakeCluster cluster = new FakeCluster()
            .add(deployment("default", "web", Map.of("app.kubernetes.io/instance", "web"), null))
            .add(replicaSet("default", "web-7d", "web"))
            .add(pod("default", "web-7d-abc", "web-7d"))
            .add(deployment("default", "plain", null, null));

    @BeforeEach
    void start() {
        stub = new ArgoStub();
        ArgoCdConfig cfg = stub.argoConfig(Map.of("argocd.max_retries", "0"));
        argo = new ArgoCd(cfg, new ArgoCdClient(cfg, d -> { }), clock);
    }

    @AfterEach
    void stop() {
        argo.close();
        stub.close();
    }

    private Incident incident(ResourceRef root, Instant findingAt) {
        Finding f = new Finding("crash-loop", "crash-loop", Severity.HIGH, ResourceRef.of("Pod", "default", "web-7d-abc"),
                "CrashLoopBackOff", Map.of(), findingAt);
        return new Incident("inc-1", "fp", "crash-loop", Severity.HIGH, root,
                List.of(root, ResourceRef.of("Pod", "default", "web-7d-abc")), List.of(f), IncidentState.OPEN,
                clock.instant(), clock.instant());
    }

    @Test
    void factsNameTheAppItsStatusAndTheDeployThatPrecededTheIncident() {
        stub.server.stubFor(get(urlEqualTo("/api/v1/applications/web")).willReturn(json(200,
                app("web").autoSync(true).sync("Synced", "abc123def4567890").health("Degraded", "back-off", "2024-05-01T10:04:00Z")
                        .history(5, "0ld0000", "2024-04-30T09:00:00Z", "alice")
                        .history(6, "f00f00", "2024-05-01T08:00:00Z", null)
                        .history(7, "abc123def4567890", "2024-05-01T10:00:00Z", "bob")
                        .history(4, "older", "2024-04-29T09:00:00Z", "carol"))));
        Map<String, String> f = new ArgoEvidence(argo).facts(
                incident(ResourceRef.of("Deployment", "default", "web"), Instant.parse("2024-05-01T10:03:00Z")), cluster);
        assertEquals("web", f.get("argocdApp"));
        assertEquals("argocd", f.get("argocdNamespace"));
        assertEquals("Synced", f.get("argocdSyncStatus"));
        assertEquals("Degraded", f.get("argocdHealth"));
        assertEquals("abc123def4567890", f.get("argocdRevision"));
        assertEquals("true", f.get("argocdAutoSync"));
        assertEquals("true", f.get("argocdSelfHeal"));
        assertEquals("older", f.get("argocdLastRevision"), "history is taken in Argo CD's order, last entry newest");
        stub.server.resetAll();
        stub.server.stubFor(get(urlEqualTo("/api/v1/applications/web")).willReturn(json(200,
                app("web").sync("Synced", "abc123def4567890").health("Degraded", "back-off", "2024-05-01T10:04:00Z")
                        .history(5, "0ld0000", "2024-04-30T09:00:00Z", "alice")
                        .history(6, "f00f00", "2024-05-01T08:00:00Z", null)
                        .history(7, "abc123def4567890", "2024-05-01T10:00:00Z", "bob"))));
        f = new ArgoEvidence(argo).facts(
                incident(ResourceRef.of("Deployment", "default", "web"), Instant.parse("2024-05-01T10:03:00Z")), cluster);
        assertEquals("id=7 revision=abc123def4567890 deployedAt=2024-05-01T10:00:00Z initiatedBy=bob; "
                + "id=6 revision=f00f00 deployedAt=2024-05-01T08:00:00Z initiatedBy=automated; "
                + "id=5 revision=0ld0000 deployedAt=2024-04-30T09:00:00Z initiatedBy=alice", f.get("argocdHistory"));
        assertEquals("abc123def4567890", f.get("argocdLastRevision"));
        assertEquals("2024-05-01T10:00:00Z", f.get("argocdLastDeployedAt"));
        assertEquals("bob", f.get("argocdLastInitiatedBy"));
        assertEquals("10", f.get("argocdMinutesSinceDeploy"));
        assertEquals("the incident began 3 minutes after revision abc123def456 was deployed by bob",
                f.get("argocdDeployedBeforeIncident"));
        assertEquals("Deployment/default/web", f.get("argocdManagedVia"));
    }

    @Test
    void aDeployAfterTheIncidentBeganIsNamedApart() {
        stub.server.stubFor(get(urlEqualTo("/api/v1/applications/web")).willReturn(json(200, app("web")
                .history(1, "good", "2024-05-01T09:00:00Z", "alice")
                .history(2, "bad", "2024-05-01T10:00:00Z", "bob")
                .history(3, "good", "2024-05-01T10:08:00Z", "kube-incident"))));
        Map<String, String> f = new ArgoEvidence(argo).facts(ResourceRef.of("Deployment", "default", "web"), cluster,
                Instant.parse("2024-05-01T10:04:00Z"));
        assertEquals("the incident began 4 minutes after revision bad was deployed by bob", f.get("argocdDeployedBeforeIncident"));
        assertEquals("revision good was deployed by kube-incident 4 minutes after the incident began",
                f.get("argocdDeployedSinceIncident"));
    }

    @Test
    void anIncidentOnAPodFindsTheAppThroughItsOwners() {
        stub.server.stubFor(get(urlEqualTo("/api/v1/applications/web")).willReturn(json(200, app("web"))));
        Map<String, String> f = new ArgoEvidence(argo).facts(
                ResourceRef.of("Pod", "default", "web-7d-abc"), cluster, null);
        assertEquals("web", f.get("argocdApp"));
        assertEquals("Healthy", f.get("argocdHealth"));
    }

    @Test
    void unmanagedIncidentsGetNoFacts() {
        assertEquals(Map.of(), new ArgoEvidence(argo).facts(
                incident(ResourceRef.of("Deployment", "default", "plain"), clock.instant()), new FakeCluster()
                        .add(deployment("default", "plain", null, null))));
        assertEquals(0, stub.server.getAllServeEvents().size());
    }

    @Test
    void argoCdDownFallsBackOnTheListingAndSaysSo() {
        stub.server.stubFor(get(urlPathEqualTo("/api/v1/applications")).willReturn(json(200,
                ArgoStub.list(app("web").health("Degraded", "x", null)))));
        argo.apps().refresh();
        stub.server.stubFor(get(urlEqualTo("/api/v1/applications/web")).willReturn(json(503, ArgoStub.error(14, "unavailable"))));
        Map<String, String> f = new ArgoEvidence(argo).facts(ResourceRef.of("Deployment", "default", "web"), cluster, null);
        assertEquals("Degraded", f.get("argocdHealth"));
        assertTrue(f.get("argocdError").contains("HTTP 503"), f.get("argocdError"));
        assertTrue(f.get("argocdError").contains("facts from the listing"), f.get("argocdError"));
    }
}

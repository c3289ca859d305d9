package io.kubeincident.argocd;

import io.kubeincident.testkit.MutableClock;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.argocd.client.ArgoCdClient;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.DetectionContext;
import io.kubernetes.client.openapi.models.V1Deployment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.kubeincident.argocd.ArgoStub.app;
import static io.kubeincident.argocd.ArgoStub.json;
import static io.kubeincident.argocd.FakeCluster.deployment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgoDegradedDetectorTest {
    private ArgoStub stub;
    private ArgoCd argo;
    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:05:00Z"));
    private final FakeCluster cluster = new FakeCluster();
    private final V1Deployment web = deployment("default", "web", Map.of("app.kubernetes.io/instance", "web"), null);

    @BeforeEach
    void start() {
        stub = new ArgoStub();
        ArgoCdConfig cfg = stub.argoConfig(Map.of("argocd.degraded_threshold", "2m"));
        argo = new ArgoCd(cfg, new ArgoCdClient(cfg, d -> { }), clock);
        cluster.add(web);
    }

    @AfterEach
    void stop() {
        argo.close();
        stub.close();
    }

    private DetectionContext ctx() {
        return new DetectionContext() {
            public ClusterView cluster() {
                return cluster;
            }

            public ConfigView config() {
                return ConfigView.empty();
            }

            public Clock clock() {
                return clock;
            }
        };
    }

    private List<Finding> detect(ArgoStub.App... apps) {
        stub.server.stubFor(get(urlPathEqualTo("/api/v1/applications")).willReturn(json(200, ArgoStub.list(apps))));
        argo.apps().refresh();
        return new ArgoDegradedDetector(argo).detect(web, ctx());
    }

    @Test
    void degradedPastTheThresholdIsReportedOnTheWorkload() {
        List<Finding> f = detect(app("web").health("Degraded", "Deployment \"web\" exceeded its progress deadline",
                        "2024-05-01T10:01:00Z").sync("Synced", "abc123")
                .resource("Deployment", "default", "web", "Synced", "Degraded"));
        assertEquals(1, f.size());
        Finding finding = f.get(0);
        assertEquals(IncidentTypes.ARGOCD_DEGRADED, finding.incidentType());
        assertEquals("argocd-degraded", finding.detectorId());
        assertEquals(Severity.HIGH, finding.severity());
        assertEquals("Application/argocd/web", finding.resource().key(), "one incident per app, rooted at the app");
        assertEquals("Deployment/default/web", finding.fact("workload"));
        assertEquals("argocd", finding.fact("argocdNamespace"));
        assertEquals("Degraded", finding.fact("resourceHealth"));
        assertEquals(Instant.parse("2024-05-01T10:01:00Z"), finding.observedAt());
        assertEquals("web", finding.fact("argocdApp"));
        assertEquals("Degraded", finding.fact("argocdHealth"));
        assertEquals("Synced", finding.fact("argocdSyncStatus"));
        assertEquals("abc123", finding.fact("argocdRevision"));
        assertTrue(finding.message().contains("exceeded its progress deadline"), finding.message());
    }

    @Test
    void theAppsLastDeployBecomesRolloutFacts() {
        ArgoStub.App healthyBefore = app("web").sync("Synced", "good111")
                .history(1, "good111", "2024-05-01T09:00:00Z", "alice");
        detect(healthyBefore);
        List<Finding> f = detect(app("web").sync("Synced", "bad222").health("Degraded", "x", "2024-05-01T10:02:00Z")
                .history(1, "good111", "2024-05-01T09:00:00Z", "alice")
                .history(2, "bad222", "2024-05-01T10:01:00Z", "bob"));
        Finding finding = f.get(0);
        assertEquals("bad222", finding.fact("currentRevision"));
        assertEquals("good111", finding.fact("previousRevision"));
        assertEquals("true", finding.fact("previousRevisionHealthy"), "seen Healthy at good111 by this process");
        assertEquals("4", finding.fact("minutesSinceRollout"));
        assertEquals("true", finding.fact("rolloutRecent"));
        assertEquals("bob", finding.fact("deployedBy"));
    }

    @Test
    void previousHealthIsNotGuessed() {
        Finding finding = detect(app("web").sync("Synced", "bad222").health("Degraded", "x", "2024-05-01T10:02:00Z")
                .history(1, "good111", "2024-05-01T07:00:00Z", "alice")
                .history(2, "bad222", "2024-05-01T08:00:00Z", "bob")).get(0);
        assertEquals(null, finding.fact("previousRevisionHealthy"));
        assertEquals("false", finding.fact("rolloutRecent"), "deployed 3h ago");
    }

    @Test
    void notYetPastTheThreshold() {
        assertEquals(List.of(), detect(app("web").health("Degraded", "x", "2024-05-01T10:04:00Z")));
    }

    @Test
    void healthyOrProgressingIsNotReported() {
        assertEquals(List.of(), detect(app("web")));
        assertEquals(List.of(), detect(app("web").health("Progressing", null, "2024-05-01T09:00:00Z")));
    }

    @Test
    void failedSyncPastTheThreshold() {
        List<Finding> f = detect(app("web").operation("Failed", "def456",
                "one or more objects failed to apply: admission webhook denied", "2024-05-01T10:00:00Z",
                "2024-05-01T10:00:30Z").resource("Deployment", "default", "web", "OutOfSync", "Healthy"));
        assertEquals(1, f.size());
        assertEquals(Severity.MEDIUM, f.get(0).severity());
        assertEquals("Failed", f.get(0).fact("argocdOperationPhase"));
        assertEquals("def456", f.get(0).fact("argocdOperationRevision"));
        assertTrue(f.get(0).fact("argocdOperationMessage").contains("admission webhook denied"));
    }

    @Test
    void aDegradedAppConcernsOnlyItsUnhealthyWorkloads() {
        assertEquals(List.of(), detect(app("web").health("Degraded", "x", "2024-05-01T10:00:00Z")
                .resource("Deployment", "default", "web", "Synced", "Healthy")
                .resource("Deployment", "default", "worker", "Synced", "Degraded")));
    }

    @Test
    void unmanagedWorkloadsAndUnknownAppsAreIgnored() {
        V1Deployment plain = deployment("default", "plain", null, null);
        stub.server.stubFor(get(urlPathEqualTo("/api/v1/applications")).willReturn(json(200,
                ArgoStub.list(app("other").health("Degraded", "x", "2024-05-01T10:00:00Z")))));
        argo.apps().refresh();
        ArgoDegradedDetector d = new ArgoDegradedDetector(argo);
        assertEquals(List.of(), d.detect(plain, ctx()));
        assertEquals(List.of(), d.detect(web, ctx()), "label names an app Argo CD does not list");
    }

    @Test
    void anUnreachableArgoCdMeansNoFindingAndNoException() {
        stub.server.stubFor(get(urlPathEqualTo("/api/v1/applications")).willReturn(json(503, ArgoStub.error(14, "unavailable"))));
        argo.apps().refresh();
        assertEquals(List.of(), new ArgoDegradedDetector(argo).detect(web, ctx()));
        assertEquals(503, argo.apps().current().lastError().httpStatus());
    }

    @Test
    void detectNeverBlocksAndRefreshesInTheBackgroundOncePerInterval() throws Exception {
        stub.server.stubFor(get(urlPathEqualTo("/api/v1/applications")).willReturn(json(200,
                ArgoStub.list(app("web").health("Degraded", "x", "2024-05-01T10:00:00Z")))));
        ArgoDegradedDetector d = new ArgoDegradedDetector(argo);
        assertEquals(List.of(), d.detect(web, ctx()), "nothing known yet: no finding, no waiting");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!argo.apps().current().known() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(argo.apps().current().known(), "background refresh happened");
        assertEquals(1, d.detect(web, ctx()).size());
        for (int i = 0; i < 20; i++) d.detect(web, ctx());
        stub.server.verify(1, getRequestedFor(urlPathEqualTo("/api/v1/applications")));
        clock.advance(Duration.ofSeconds(31));
        d.detect(web, ctx());
        deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (stub.server.countRequestsMatching(getRequestedFor(urlPathEqualTo("/api/v1/applications")).build()).getCount() < 2
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        stub.server.verify(2, getRequestedFor(urlPathEqualTo("/api/v1/applications")));
    }
}

package io.kubeincident.core.e2e;

import io.kubeincident.api.AuditRecord;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.audit.InMemoryAuditSink;
import io.kubeincident.testkit.Await;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.Workload;
import io.kubeincident.core.fixtures.DerivedRbac;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Continuous mode is driven by watches: with a sweep interval of an hour, only informer events can make the
 * engine notice a Deployment that starts crash-looping after it started, and act on it.
 */
class ContinuousModeTest {

    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension().enforceRbac();

    @Test
    void aCrashLoopAppearingAfterStartIsHandledFromWatchEventsNotPolling() throws Exception {
        ApiClient client = kube.apiClient();
        new CoreV1Api(client).createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("shop"))).execute();
        InMemoryAuditSink audit = new InMemoryAuditSink();
        Map<String, String> config = Map.of("monitoring.scan_interval", "1h",
                "monitoring.confidence_threshold", "0.6", "monitoring.approval_threshold", "0.4");
        try (IncidentEngine engine = DerivedRbac.build(kube.server(), IncidentEngine.builder().config(config)
                .auditSink(audit).logAudit(false), config)) {
            engine.start();
            Await.until(Duration.ofSeconds(20), engine::isReady, "the informer caches to sync");
            assertTrue(audit.withStep("detected").isEmpty(), "an empty cluster has no incident");

            Workload web = DeploymentBuilder.deployment("shop", "web").replicas(1).pods(p -> p.crashLoopBackOff(5))
                    .create(client);
            String pod = web.pods().get(0).getMetadata().getName();

            Await.until(Duration.ofSeconds(20), () -> audit.withStep("outcome").stream()
                    .anyMatch(r -> ("Pod/shop/" + pod).equals(r.field("resource"))), "the restart to run");
            AuditRecord detected = audit.withStep("detected").get(0);
            assertEquals("Deployment/shop/web", detected.field("resource"));
            assertEquals("applied", audit.withStep("outcome").get(0).field("result"));
            assertEquals(1, audit.withStep("detected").size(), "an open incident is detected once, not once per sweep");
            List<String> left = new CoreV1Api(client).listNamespacedPod("shop").execute().getItems().stream()
                    .map(p -> p.getMetadata().getName()).toList();
            assertFalse(left.contains(pod), "the crash-looping pod was deleted");
        }
    }
}

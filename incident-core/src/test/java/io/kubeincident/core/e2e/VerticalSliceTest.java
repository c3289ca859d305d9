package io.kubeincident.core.e2e;

import io.kubeincident.api.AuditRecord;
import io.kubeincident.api.Decision;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.audit.InMemoryAuditSink;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.Workload;
import io.kubeincident.core.fixtures.DerivedRbac;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first vertical slice, all through real HTTP on the loopback API server and everything found
 * through ServiceLoader: a crash-looping pod of a Deployment is detected, diagnosed by the rules analyzer,
 * restarted, and the audit holds intent before outcome; in kube-system it is refused with the reason; in
 * dry-run mode nothing is deleted.
 */
class VerticalSliceTest {

    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension().enforceRbac();

    @Test
    void crashLoopInDefaultIsDetectedDiagnosedAndRestarted() throws ApiException {
        ApiClient client = kube.apiClient();
        String pod = createCrashLoopingDeployment(client, "default", "web");
        InMemoryAuditSink audit = new InMemoryAuditSink();
        // A team that lets one restart of an unexplained crash loop run unattended (the rules give it 0.6).
        Map<String, String> config = Map.of("monitoring.confidence_threshold", "0.6",
                "monitoring.approval_threshold", "0.4");
        try (IncidentEngine engine = DerivedRbac.build(kube.server(), IncidentEngine.builder().config(config)
                .auditSink(audit).logAudit(false), config)) {
            List<IncidentReport> handled = engine.runOnce();

            assertEquals(1, handled.size());
            IncidentReport r = handled.get(0);
            assertEquals("crash-loop", r.incident().type());
            assertEquals("Deployment/default/web", r.incident().rootResource().key());
            assertEquals("rules", r.diagnosis().analyzerId());
            assertEquals("restart-pod", r.plan().get(0).action().actionType());
            assertEquals(Decision.EXECUTE, r.plan().get(0).decision(), r.plan().get(0).reasons().toString());
            assertRestartedAndAudited(client, audit, r.incident().id(), pod);
        }
    }

    @Test
    void withDefaultThresholdsTheRestartWaitsForApprovalThenRuns() throws ApiException {
        ApiClient client = kube.apiClient();
        String pod = createCrashLoopingDeployment(client, "default", "web");
        InMemoryAuditSink audit = new InMemoryAuditSink();
        try (IncidentEngine engine = DerivedRbac.build(kube.server(), IncidentEngine.builder().auditSink(audit).logAudit(false), Map.of())) {
            IncidentReport r = engine.runOnce().get(0);
            assertEquals(Decision.APPROVAL, r.plan().get(0).decision());
            assertEquals(List.of(pod), podNames(client, "default"), "nothing runs before approval");
            assertTrue(audit.withStep("intent").isEmpty());

            var pending = engine.pendingApprovals();
            assertEquals(1, pending.size());
            assertTrue(engine.approve(pending.get(0).id(), "sre@example.com").isPresent());
            assertRestartedAndAudited(client, audit, r.incident().id(), pod);
            assertTrue(engine.approve(pending.get(0).id(), "sre@example.com").isEmpty(), "an approval is used once");
        }
    }

    private static void assertRestartedAndAudited(ApiClient client, InMemoryAuditSink audit, String id, String pod)
            throws ApiException {
        assertTrue(podNames(client, "default").isEmpty(), "the crash-looping pod was deleted");
        List<String> steps = audit.forIncident(id).stream().map(AuditRecord::step).toList();
        assertTrue(steps.indexOf("intent") >= 0 && steps.indexOf("intent") < steps.indexOf("outcome"), steps.toString());
        AuditRecord outcome = audit.forIncident(id).stream().filter(a -> a.step().equals("outcome")).findFirst().orElseThrow();
        assertEquals("applied", outcome.field("result"));
        assertEquals("Pod/default/" + pod, outcome.field("resource"));
        assertTrue(new CoreV1Api(client).listNamespacedEvent("default").execute().getItems().stream()
                .anyMatch(e -> "KubeIncidentRestart".equals(e.getReason())), "a Kubernetes Event records the action");
    }

    @Test
    void theSameInKubeSystemIsDetectedAndRefusedWithTheReason() throws ApiException {
        ApiClient client = kube.apiClient();
        String pod = createCrashLoopingDeployment(client, "kube-system", "coredns");
        InMemoryAuditSink audit = new InMemoryAuditSink();
        try (IncidentEngine engine = DerivedRbac.build(kube.server(), IncidentEngine.builder().auditSink(audit).logAudit(false), Map.of())) {
            List<IncidentReport> handled = engine.runOnce();
            assertEquals(1, handled.size());
            var planned = handled.get(0).plan().get(0);
            assertEquals(Decision.DENIED, planned.decision());
            assertTrue(planned.reasons().stream().anyMatch(s -> s.contains("kube-system is excluded")), planned.reasons().toString());
            assertEquals(List.of(pod), podNames(client, "kube-system"), "nothing was deleted");
            assertTrue(audit.withStep("intent").isEmpty());
            AuditRecord decision = audit.withStep("decision").get(0);
            assertEquals("denied", decision.field("decision"));
        }
    }

    @Test
    void dryRunModeDeletesNothingButAuditsEverything() throws ApiException {
        ApiClient client = kube.apiClient();
        String pod = createCrashLoopingDeployment(client, "default", "web");
        InMemoryAuditSink audit = new InMemoryAuditSink();
        Map<String, String> config = Map.of("remediation.mode", "dry-run",
                "monitoring.confidence_threshold", "0.6", "monitoring.approval_threshold", "0.4");
        try (IncidentEngine engine = DerivedRbac.build(kube.server(), IncidentEngine.builder().config(config)
                .auditSink(audit).logAudit(false), config)) {
            engine.runOnce();
            assertEquals(List.of(pod), podNames(client, "default"));
            AuditRecord outcome = audit.withStep("outcome").get(0);
            assertEquals("dry-run", outcome.field("result"));
            assertEquals(true, outcome.field("dry_run"));
            assertFalse(audit.withStep("intent").isEmpty());
        }
    }

    private static List<String> podNames(ApiClient client, String ns) throws ApiException {
        return new CoreV1Api(client).listNamespacedPod(ns).execute().getItems().stream()
                .map(p -> p.getMetadata().getName()).toList();
    }

    /** A Deployment with one ReplicaSet (revision 1) and one pod in CrashLoopBackOff; returns the pod's name. */
    static String createCrashLoopingDeployment(ApiClient client, String ns, String name) throws ApiException {
        new CoreV1Api(client).createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(ns))).execute();
        Workload w = DeploymentBuilder.deployment(ns, name).replicas(1).image("busybox:1.36")
                .pods(p -> p.crashLoopBackOff(6)).create(client);
        return w.pods().get(0).getMetadata().getName();
    }
}

package io.kubeincident.core.e2e;

import io.kubeincident.api.AuditRecord;
import io.kubeincident.api.Decision;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.audit.InMemoryAuditSink;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.OffsetDateTime;
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
    final KubeServerExtension kube = new KubeServerExtension();

    @Test
    void crashLoopInDefaultIsDetectedDiagnosedAndRestarted() throws ApiException {
        ApiClient client = kube.apiClient();
        createCrashLoopingDeployment(client, "default", "web");
        InMemoryAuditSink audit = new InMemoryAuditSink();
        // A team that lets one restart of an unexplained crash loop run unattended (the rules give it 0.6).
        Map<String, String> config = Map.of("monitoring.confidence_threshold", "0.6",
                "monitoring.approval_threshold", "0.4");
        try (IncidentEngine engine = IncidentEngine.builder().apiClient(client).config(config)
                .auditSink(audit).logAudit(false).build()) {
            List<IncidentReport> handled = engine.runOnce();

            assertEquals(1, handled.size());
            IncidentReport r = handled.get(0);
            assertEquals("crash-loop", r.incident().type());
            assertEquals("Deployment/default/web", r.incident().rootResource().key());
            assertEquals("rules", r.diagnosis().analyzerId());
            assertEquals("restart-pod", r.plan().get(0).action().actionType());
            assertEquals(Decision.EXECUTE, r.plan().get(0).decision(), r.plan().get(0).reasons().toString());
            assertRestartedAndAudited(client, audit, r.incident().id());
        }
    }

    @Test
    void withDefaultThresholdsTheRestartWaitsForApprovalThenRuns() throws ApiException {
        ApiClient client = kube.apiClient();
        createCrashLoopingDeployment(client, "default", "web");
        InMemoryAuditSink audit = new InMemoryAuditSink();
        try (IncidentEngine engine = IncidentEngine.builder().apiClient(client).auditSink(audit).logAudit(false).build()) {
            IncidentReport r = engine.runOnce().get(0);
            assertEquals(Decision.APPROVAL, r.plan().get(0).decision());
            assertEquals(List.of("web-7d4b9c-x2kq9"), podNames(client, "default"), "nothing runs before approval");
            assertTrue(audit.withStep("intent").isEmpty());

            var pending = engine.pendingApprovals();
            assertEquals(1, pending.size());
            assertTrue(engine.approve(pending.get(0).id(), "sre@example.com").isPresent());
            assertRestartedAndAudited(client, audit, r.incident().id());
            assertTrue(engine.approve(pending.get(0).id(), "sre@example.com").isEmpty(), "an approval is used once");
        }
    }

    private static void assertRestartedAndAudited(ApiClient client, InMemoryAuditSink audit, String id) throws ApiException {
        assertTrue(podNames(client, "default").isEmpty(), "the crash-looping pod was deleted");
        List<String> steps = audit.forIncident(id).stream().map(AuditRecord::step).toList();
        assertTrue(steps.indexOf("intent") >= 0 && steps.indexOf("intent") < steps.indexOf("outcome"), steps.toString());
        AuditRecord outcome = audit.forIncident(id).stream().filter(a -> a.step().equals("outcome")).findFirst().orElseThrow();
        assertEquals("applied", outcome.field("result"));
        assertEquals("Pod/default/web-7d4b9c-x2kq9", outcome.field("resource"));
        assertTrue(new CoreV1Api(client).listNamespacedEvent("default").execute().getItems().stream()
                .anyMatch(e -> "KubeIncidentRestart".equals(e.getReason())), "a Kubernetes Event records the action");
    }

    @Test
    void theSameInKubeSystemIsDetectedAndRefusedWithTheReason() throws ApiException {
        ApiClient client = kube.apiClient();
        createCrashLoopingDeployment(client, "kube-system", "coredns");
        InMemoryAuditSink audit = new InMemoryAuditSink();
        try (IncidentEngine engine = IncidentEngine.builder().apiClient(client).auditSink(audit).logAudit(false).build()) {
            List<IncidentReport> handled = engine.runOnce();
            assertEquals(1, handled.size());
            var planned = handled.get(0).plan().get(0);
            assertEquals(Decision.DENIED, planned.decision());
            assertTrue(planned.reasons().stream().anyMatch(s -> s.contains("kube-system is excluded")), planned.reasons().toString());
            assertEquals(List.of("coredns-7d4b9c-x2kq9"), podNames(client, "kube-system"), "nothing was deleted");
            assertTrue(audit.withStep("intent").isEmpty());
            AuditRecord decision = audit.withStep("decision").get(0);
            assertEquals("denied", decision.field("decision"));
        }
    }

    @Test
    void dryRunModeDeletesNothingButAuditsEverything() throws ApiException {
        ApiClient client = kube.apiClient();
        createCrashLoopingDeployment(client, "default", "web");
        InMemoryAuditSink audit = new InMemoryAuditSink();
        try (IncidentEngine engine = IncidentEngine.builder().apiClient(client).config(Map.of("remediation.mode", "dry-run",
                        "monitoring.confidence_threshold", "0.6", "monitoring.approval_threshold", "0.4"))
                .auditSink(audit).logAudit(false).build()) {
            engine.runOnce();
            assertEquals(List.of("web-7d4b9c-x2kq9"), podNames(client, "default"));
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

    /** A Deployment with one ReplicaSet (revision 1) and one pod in CrashLoopBackOff, as a kubelet shows it. */
    static void createCrashLoopingDeployment(ApiClient client, String ns, String name) throws ApiException {
        CoreV1Api core = new CoreV1Api(client);
        AppsV1Api apps = new AppsV1Api(client);
        core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(ns))).execute();
        Map<String, String> labels = Map.of("app", name);
        V1PodSpec spec = new V1PodSpec().addContainersItem(new V1Container().name("app").image("busybox:1.36")
                .command(List.of("sh", "-c", "exit 1")));
        V1Deployment d = apps.createNamespacedDeployment(ns, new V1Deployment()
                .metadata(new V1ObjectMeta().name(name).namespace(ns).labels(labels)
                        .annotations(Map.of("deployment.kubernetes.io/revision", "1")))
                .spec(new V1DeploymentSpec().replicas(1).selector(new V1LabelSelector().matchLabels(labels))
                        .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(labels)).spec(spec)))).execute();
        Map<String, String> rsLabels = Map.of("app", name, "pod-template-hash", "7d4b9c");
        V1ReplicaSet rs = apps.createNamespacedReplicaSet(ns, new V1ReplicaSet()
                .metadata(new V1ObjectMeta().name(name + "-7d4b9c").namespace(ns).labels(rsLabels)
                        .annotations(Map.of("deployment.kubernetes.io/revision", "1"))
                        .addOwnerReferencesItem(new V1OwnerReference().apiVersion("apps/v1").kind("Deployment")
                                .name(name).uid(d.getMetadata().getUid()).controller(true)))
                .spec(new V1ReplicaSetSpec().replicas(1).selector(new V1LabelSelector().matchLabels(rsLabels))
                        .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(rsLabels)).spec(spec)))).execute();
        OffsetDateTime now = OffsetDateTime.now();
        V1Pod pod = core.createNamespacedPod(ns, new V1Pod()
                .metadata(new V1ObjectMeta().name(name + "-7d4b9c-x2kq9").namespace(ns).labels(rsLabels)
                        .addOwnerReferencesItem(new V1OwnerReference().apiVersion("apps/v1").kind("ReplicaSet")
                                .name(rs.getMetadata().getName()).uid(rs.getMetadata().getUid()).controller(true)))
                .spec(spec.nodeName("node-1"))).execute();
        pod.status(new V1PodStatus().phase("Running").addContainerStatusesItem(new V1ContainerStatus().name("app")
                .image("busybox:1.36").imageID("docker.io/library/busybox@sha256:1").ready(false).started(false)
                .restartCount(6)
                .state(new V1ContainerState().waiting(new V1ContainerStateWaiting().reason("CrashLoopBackOff")
                        .message("back-off 2m40s restarting failed container=app")))
                .lastState(new V1ContainerState().terminated(new V1ContainerStateTerminated().exitCode(1).reason("Error")
                        .startedAt(now.minusSeconds(70)).finishedAt(now.minusSeconds(60))))));
        core.replaceNamespacedPodStatus(pod.getMetadata().getName(), ns, pod).execute();
    }
}

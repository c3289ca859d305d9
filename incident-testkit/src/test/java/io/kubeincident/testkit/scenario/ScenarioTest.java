package io.kubeincident.testkit.scenario;

import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScenarioTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void labelLabelsThePodTemplateWhileDeploymentLabelAndAnnotationLabelTheDeployment(ApiClient client) throws Exception {
        DeploymentBuilder.deployment("default", "api").replicas(1).clock(CLOCK)
                .label("tier", "backend")
                .deploymentLabel("team", "payments")
                .annotation("health.example.com/status", "degraded")
                .create(client);
        V1Deployment d = new AppsV1Api(client).readNamespacedDeployment("api", "default").execute();
        assertEquals(java.util.Map.of("app", "api", "team", "payments"), d.getMetadata().getLabels(),
                "label() is not on the Deployment itself");
        assertEquals("degraded", d.getMetadata().getAnnotations().get("health.example.com/status"));
        assertEquals("1", d.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"));
        assertEquals("backend", d.getSpec().getTemplate().getMetadata().getLabels().get("tier"));
        assertNull(d.getSpec().getTemplate().getMetadata().getLabels().get("team"), "deploymentLabel() stays off the template");
        V1Pod pod = new CoreV1Api(client).listNamespacedPod("default").labelSelector("app=api").execute().getItems().get(0);
        assertEquals("backend", pod.getMetadata().getLabels().get("tier"));
        assertNull(pod.getMetadata().getLabels().get("team"));
        assertTrue(pod.getMetadata().getAnnotations() == null
                || !pod.getMetadata().getAnnotations().containsKey("health.example.com/status"), "annotation() stays on the Deployment");
    }

    @Test
    void deploymentWithReplicaSetAndPodsWiredByServerUids(ApiClient client) throws Exception {
        Workload w = DeploymentBuilder.deployment("default", "web").replicas(3).clock(CLOCK).create(client);
        V1Deployment d = new AppsV1Api(client).readNamespacedDeployment("web", "default").execute();
        assertEquals("1", d.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"));
        assertEquals(3, d.getStatus().getReadyReplicas());
        List<V1ReplicaSet> sets = new AppsV1Api(client).listNamespacedReplicaSet("default").execute().getItems();
        assertEquals(1, sets.size());
        V1ReplicaSet rs = sets.get(0);
        String hash = rs.getMetadata().getLabels().get("pod-template-hash");
        assertEquals("web-" + hash, rs.getMetadata().getName());
        assertEquals(d.getMetadata().getUid(), rs.getMetadata().getOwnerReferences().get(0).getUid());
        assertTrue(rs.getMetadata().getOwnerReferences().get(0).getController());
        List<V1Pod> pods = new CoreV1Api(client).listNamespacedPod("default").labelSelector("pod-template-hash=" + hash).execute().getItems();
        assertEquals(3, pods.size());
        for (V1Pod p : pods) {
            assertEquals(rs.getMetadata().getUid(), p.getMetadata().getOwnerReferences().get(0).getUid());
            assertTrue(PodStates.ready(p));
            assertTrue(p.getMetadata().getName().startsWith("web-" + hash + "-"));
        }
        assertEquals(3, w.podsOf(w.current()).size());
    }

    @Test
    void crashLoopBackOffPodReadsBackWithEveryRequiredField(ApiClient client) throws Exception {
        PodBuilder.pod("default", "crash").clock(CLOCK).crashLoopBackOff(7, 2, "Error").create(client);
        V1Pod p = new CoreV1Api(client).readNamespacedPod("crash", "default").execute();
        V1ContainerStatus cs = p.getStatus().getContainerStatuses().get(0);
        assertEquals("CrashLoopBackOff", cs.getState().getWaiting().getReason());
        assertEquals(7, cs.getRestartCount());
        assertFalse(cs.getReady());
        assertNotNull(cs.getImageID());
        assertEquals(2, cs.getLastState().getTerminated().getExitCode());
        assertEquals("Error", cs.getLastState().getTerminated().getReason());
        assertEquals(Instant.parse("2025-06-01T11:59:20Z"), cs.getLastState().getTerminated().getFinishedAt().toInstant());
        assertFalse(PodStates.ready(p));
        assertEquals("Running", p.getStatus().getPhase());
    }

    @Test
    void imagePullStatesCarryTheRegistryMessage(ApiClient client) throws Exception {
        PodBuilder.pod("default", "pull").image("registry.example.com/web:9.9").imagePullBackOff().create(client);
        PodBuilder.pod("default", "err").image("registry.example.com/web:9.9").errImagePull()
                .message("failed to pull image: 401 Unauthorized").create(client);
        CoreV1Api core = new CoreV1Api(client);
        V1ContainerStatus pull = core.readNamespacedPod("pull", "default").execute().getStatus().getContainerStatuses().get(0);
        assertEquals("ImagePullBackOff", pull.getState().getWaiting().getReason());
        assertTrue(pull.getState().getWaiting().getMessage().contains("registry.example.com/web:9.9"));
        V1ContainerStatus err = core.readNamespacedPod("err", "default").execute().getStatus().getContainerStatuses().get(0);
        assertEquals("ErrImagePull", err.getState().getWaiting().getReason());
        assertEquals("failed to pull image: 401 Unauthorized", err.getState().getWaiting().getMessage());
        assertEquals("Pending", core.readNamespacedPod("err", "default").execute().getStatus().getPhase());
    }

    @Test
    void oomKilledHasExit137AndAMemoryLimit(ApiClient client) throws Exception {
        PodBuilder.pod("default", "oom").memoryLimit("64Mi").oomKilled(3).create(client);
        V1Pod p = new CoreV1Api(client).readNamespacedPod("oom", "default").execute();
        V1ContainerStatus cs = p.getStatus().getContainerStatuses().get(0);
        assertEquals(137, cs.getLastState().getTerminated().getExitCode());
        assertEquals("OOMKilled", cs.getLastState().getTerminated().getReason());
        assertEquals("64Mi", p.getSpec().getContainers().get(0).getResources().getLimits().get("memory").toSuffixedString());
    }

    @Test
    void unschedulablePodHasTheSchedulerVerdict(ApiClient client) throws Exception {
        PodBuilder.pod("default", "pending").clock(CLOCK).unschedulable().create(client);
        V1Pod p = new CoreV1Api(client).readNamespacedPod("pending", "default").execute();
        assertEquals("Pending", p.getStatus().getPhase());
        assertNull(p.getSpec().getNodeName());
        V1PodCondition c = p.getStatus().getConditions().get(0);
        assertEquals("PodScheduled", c.getType());
        assertEquals("False", c.getStatus());
        assertEquals("Unschedulable", c.getReason());
        assertTrue(c.getMessage().contains("Insufficient cpu"));
    }

    @Test
    void notReadyAndUnreachableNodes(ApiClient client) throws Exception {
        NodeBuilder.node("n-false").clock(CLOCK).notReady(Duration.ofMinutes(7)).create(client);
        NodeBuilder.node("n-unknown").clock(CLOCK).unreachable(Duration.ofMinutes(3)).create(client);
        NodeBuilder.node("n-ok").clock(CLOCK).create(client);
        CoreV1Api core = new CoreV1Api(client);
        V1NodeCondition f = ready(core.readNode("n-false").execute());
        assertEquals("False", f.getStatus());
        assertEquals(Instant.parse("2025-06-01T11:53:00Z"), f.getLastTransitionTime().toInstant());
        V1Node unknown = core.readNode("n-unknown").execute();
        assertEquals("Unknown", ready(unknown).getStatus());
        assertTrue(unknown.getSpec().getTaints().stream().anyMatch(t -> t.getKey().equals("node.kubernetes.io/unreachable")));
        assertEquals("True", ready(core.readNode("n-ok").execute()).getStatus());
    }

    @Test
    void stuckRolloutHasTwoRevisionsWithTheNewOneCrashLooping(ApiClient client) throws Exception {
        Workload w = DeploymentBuilder.deployment("shop", "cart").replicas(3).image("cart:1").crashLoopingRollout("cart:2")
                .progressDeadlineExceeded().clock(CLOCK).create(client);
        assertEquals(2, w.replicaSets().size());
        V1ReplicaSet current = w.current();
        V1ReplicaSet previous = w.previous().orElseThrow();
        assertEquals("2", current.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"));
        assertEquals("1", previous.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"));
        assertNotEquals(current.getMetadata().getLabels().get("pod-template-hash"), previous.getMetadata().getLabels().get("pod-template-hash"));
        assertEquals(3, w.podsOf(previous).stream().filter(PodStates::ready).count());
        assertEquals(1, w.podsOf(current).size());
        assertEquals("CrashLoopBackOff", w.podsOf(current).get(0).getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason());
        V1Deployment d = new AppsV1Api(client).readNamespacedDeployment("cart", "shop").execute();
        assertEquals("cart:2", d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(1, d.getStatus().getUnavailableReplicas());
        assertTrue(d.getStatus().getConditions().stream().anyMatch(c -> "ProgressDeadlineExceeded".equals(c.getReason())));
    }

    @Test
    void offlineBuildNeedsNoServerAndIsDeterministic() {
        Workload a = DeploymentBuilder.deployment("default", "web").previousRevision("web:0").clock(CLOCK).build();
        Workload b = DeploymentBuilder.deployment("default", "web").previousRevision("web:0").clock(CLOCK).build();
        assertEquals(a.pods().stream().map(p -> p.getMetadata().getName()).toList(), b.pods().stream().map(p -> p.getMetadata().getName()).toList());
        assertEquals(2, a.replicaSets().size());
        assertEquals(0, a.previous().orElseThrow().getSpec().getReplicas());
        assertEquals(a.deployment().getMetadata().getUid(), a.current().getMetadata().getOwnerReferences().get(0).getUid());
    }

    private static V1NodeCondition ready(V1Node n) {
        return n.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
    }
}

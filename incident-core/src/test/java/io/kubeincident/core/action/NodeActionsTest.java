package io.kubeincident.core.action;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.config.MapConfig;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.scenario.NodeBuilder;
import io.kubeincident.testkit.scenario.PodBuilder;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.PolicyV1Api;
import io.kubernetes.client.openapi.models.V1EmptyDirVolumeSource;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudgetSpec;
import io.kubernetes.client.openapi.models.V1Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cordon-node and drain-node against the loopback API server (Eviction API, PodDisruptionBudgets). */
class NodeActionsTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    private final FaultInjector faults = new FaultInjector();
    private final KubeApi api = new KubeApi(ApiRetryConfig.defaults(), Sleeper.NONE);
    private final SafetyConfig limits = SafetyConfig.from(new MapConfig(Map.of()));
    private final DrainConfig drain = new DrainConfig(Duration.ofSeconds(30), 3, Duration.ZERO, Duration.ZERO);
    private final ResourceRef node1 = ResourceRef.cluster("Node", "node-1");

    private ApiClient client() {
        return faults.wrap(kube.apiClient());
    }

    private TestContexts.RecordingActionContext ctx() {
        return TestContexts.action().apiClient(client()).incident(TestContexts.incident("node-not-ready", node1)).build();
    }

    private static ActionRequest req(String type, ResourceRef target, Map<String, Object> params, boolean dryRun) {
        return new ActionRequest("inc-1", type, target, params, 0.9, dryRun);
    }

    private boolean unschedulable(String node) throws ApiException {
        return Boolean.TRUE.equals(new CoreV1Api(kube.apiClient()).readNode(node).execute().getSpec().getUnschedulable());
    }

    private List<String> podsOn(String node) throws ApiException {
        return new CoreV1Api(kube.apiClient()).listPodForAllNamespaces().fieldSelector("spec.nodeName=" + node).execute().getItems()
                .stream().map(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()).sorted().toList();
    }

    private void nodes(String... names) throws ApiException {
        for (String n : names) NodeBuilder.node(n).ready().create(kube.apiClient());
    }

    private static PodBuilder controlled(String ns, String name, String node) {
        return PodBuilder.pod(ns, name).label("app", name.replaceAll("-\\d+$", "")).node(node)
                .ownedBy("apps/v1", "ReplicaSet", name + "-rs", "uid-" + name).running();
    }

    @Test
    void cordonByStrategicMergeAndUndo() throws ApiException {
        nodes("node-1", "node-2");
        CordonNodeAction a = new CordonNodeAction(api, limits);
        var request = req(ActionTypes.CORDON_NODE, node1, Map.of(), false);
        ActionResult r = a.execute(request, ctx());
        var applied = assertInstanceOf(ActionResult.Applied.class, r, r.message());
        assertTrue(unschedulable("node-1"));
        assertTrue(faults.seen().stream().anyMatch(s -> s.startsWith("PATCH /api/v1/nodes/node-1")));
        assertInstanceOf(ActionResult.Skipped.class, a.execute(request, ctx()), "already cordoned");
        assertInstanceOf(ActionResult.Applied.class, a.undo(request, applied, ctx()));
        assertTrue(!unschedulable("node-1"));
    }

    @Test
    void neverTheLastSchedulableNodeNorMoreThanAllowedAtOnce() throws ApiException {
        nodes("node-1");
        NodeBuilder.node("node-2").notReady(Duration.ofMinutes(10)).create(kube.apiClient());
        CordonNodeAction a = new CordonNodeAction(api, limits);
        var f = assertInstanceOf(ActionResult.Failed.class, a.execute(req(ActionTypes.CORDON_NODE, node1, Map.of(), false), ctx()));
        assertTrue(f.message().contains("last schedulable"), f.message());
        assertTrue(!unschedulable("node-1"));

        NodeBuilder.node("node-3").ready().create(kube.apiClient());
        NodeBuilder.node("node-4").ready().cordoned().create(kube.apiClient());
        var tooMany = a.validate(req(ActionTypes.CORDON_NODE, node1, Map.of(), false), ctx());
        assertTrue(tooMany.get(0).contains("max_nodes_draining=1"), tooMany.toString());
    }

    @Test
    void drainEvictsSkipsDaemonSetsAndMirrorPodsAndLeavesExcludedNamespacesAlone() throws ApiException {
        nodes("node-1", "node-2");
        controlled("default", "web-1", "node-1").create(kube.apiClient());
        controlled("default", "api-1", "node-1").create(kube.apiClient());
        PodBuilder.pod("default", "agent-x").node("node-1").ownedBy("apps/v1", "DaemonSet", "agent", "ds-uid").running().create(kube.apiClient());
        PodBuilder.pod("default", "etcd-node-1").node("node-1").annotation(Workloads.MIRROR_POD, "abc").running().create(kube.apiClient());
        controlled("kube-system", "coredns-1", "node-1").create(kube.apiClient());
        controlled("default", "elsewhere-1", "node-2").create(kube.apiClient());

        DrainNodeAction a = new DrainNodeAction(api, limits, drain);
        var ctx = ctx();
        ActionResult r = a.execute(req(ActionTypes.DRAIN_NODE, node1, Map.of(), false), ctx);
        var applied = assertInstanceOf(ActionResult.Applied.class, r, r.message());
        assertTrue(unschedulable("node-1"));
        assertEquals(List.of("default/agent-x", "default/etcd-node-1", "kube-system/coredns-1"), podsOn("node-1"));
        assertEquals(List.of("default/elsewhere-1"), podsOn("node-2"), "other nodes untouched");
        assertEquals(2, faults.count("POST", "/eviction"), "through the Eviction API, one per pod");
        assertTrue(r.message().contains("coredns-1 (excluded namespace)"), r.message());
        assertEquals(List.of("default/api-1", "default/web-1"),
                ((List<?>) applied.undoState().get("evicted")).stream().map(Object::toString).sorted().toList());
        assertEquals("KubeIncidentDrain", ctx.events().get(0).reason());
        assertInstanceOf(ActionResult.Applied.class, a.undo(req(ActionTypes.DRAIN_NODE, node1, Map.of(), false), applied, ctx));
        assertTrue(!unschedulable("node-1"), "undo uncordons what we cordoned");
    }

    @Test
    void drainRefusesBarePodsAndLocalStorageBeforeTouchingAnything() throws ApiException {
        nodes("node-1", "node-2");
        controlled("default", "web-1", "node-1").create(kube.apiClient());
        PodBuilder.pod("default", "scratch").node("node-1").running().create(kube.apiClient());
        DrainNodeAction a = new DrainNodeAction(api, limits, drain);
        var f = assertInstanceOf(ActionResult.Failed.class, a.execute(req(ActionTypes.DRAIN_NODE, node1, Map.of(), false), ctx()));
        assertTrue(f.message().contains("default/scratch has no controller"), f.message());
        assertTrue(!unschedulable("node-1"), "refused before cordoning");
        assertEquals(2, podsOn("node-1").size());

        new CoreV1Api(kube.apiClient()).deleteNamespacedPod("scratch", "default").execute();
        var withCache = controlled("default", "cache-1", "node-1").build();
        withCache.getSpec().addVolumesItem(new V1Volume().name("tmp").emptyDir(new V1EmptyDirVolumeSource()));
        new CoreV1Api(kube.apiClient()).createNamespacedPod("default", withCache).execute();
        var local = a.validate(req(ActionTypes.DRAIN_NODE, node1, Map.of(), false), ctx());
        assertTrue(local.get(0).contains("local storage"), local.toString());
        ActionResult allowed = a.execute(req(ActionTypes.DRAIN_NODE, node1, Map.of("allowLocalStorage", true), false), ctx());
        assertInstanceOf(ActionResult.Applied.class, allowed, allowed.message());
        assertEquals(List.of(), podsOn("node-1"));
    }

    @Test
    void aPodDisruptionBudgetBlocksEvictionAndTheDrainFailsNamingIt() throws ApiException {
        nodes("node-1", "node-2");
        controlled("default", "web-1", "node-1").create(kube.apiClient());
        new PolicyV1Api(kube.apiClient()).createNamespacedPodDisruptionBudget("default", new V1PodDisruptionBudget()
                .metadata(new V1ObjectMeta().name("web-pdb").namespace("default"))
                .spec(new V1PodDisruptionBudgetSpec().minAvailable(new IntOrString(1))
                        .selector(new V1LabelSelector().matchLabels(Map.of("app", "web"))))).execute();
        DrainNodeAction a = new DrainNodeAction(api, limits, drain);
        var ctx = ctx();
        ActionResult r = a.execute(req(ActionTypes.DRAIN_NODE, node1, Map.of(), false), ctx);
        var f = assertInstanceOf(ActionResult.Failed.class, r, r.message());
        assertTrue(f.message().contains("PodDisruptionBudget default/web-pdb"), f.message());
        assertTrue(f.message().contains("after 3 attempts") && f.retryable(), f.message());
        assertEquals(3, faults.count("POST", "/pods/web-1/eviction"), "bounded retries");
        assertEquals(List.of("default/web-1"), podsOn("node-1"), "the budget held");
        assertTrue(unschedulable("node-1"), "the node stays cordoned, as the message says");
        assertEquals("KubeIncidentDrainBlocked", ctx.events().get(0).reason());
    }

    @Test
    void drainDryRunEvictsNothing() throws ApiException {
        nodes("node-1", "node-2");
        controlled("default", "web-1", "node-1").create(kube.apiClient());
        ActionResult r = new DrainNodeAction(api, limits, drain).execute(req(ActionTypes.DRAIN_NODE, node1, Map.of(), true), ctx());
        assertInstanceOf(ActionResult.DryRun.class, r, r.message());
        assertEquals(List.of("default/web-1"), podsOn("node-1"));
        assertTrue(!unschedulable("node-1"));
    }

    @Test
    void evictionErrorsOtherThanABudgetFailTheDrain() throws ApiException {
        nodes("node-1", "node-2");
        controlled("default", "web-1", "node-1").create(kube.apiClient());
        faults.fail("POST", "/eviction", 403, 5);
        ActionResult r = new DrainNodeAction(api, limits, drain).execute(req(ActionTypes.DRAIN_NODE, node1, Map.of(), false), ctx());
        var f = assertInstanceOf(ActionResult.Failed.class, r);
        assertTrue(f.message().contains("RBAC permission missing: create pods/eviction"), f.message());
    }
}

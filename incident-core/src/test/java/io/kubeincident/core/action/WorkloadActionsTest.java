package io.kubeincident.core.action;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.config.MapConfig;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.Workload;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubeincident.testkit.sim.ControllerEmulator;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.AutoscalingV2Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V2CrossVersionObjectReference;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerSpec;
import io.kubernetes.client.util.PatchUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** rollout-restart, scale, rollback-deployment and adjust-resources against the loopback API server. */
class WorkloadActionsTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    private final FaultInjector faults = new FaultInjector();
    private final KubeApi api = new KubeApi(ApiRetryConfig.defaults(), Sleeper.NONE);
    private final SafetyConfig limits = SafetyConfig.from(new MapConfig(Map.of("safety.max_replicas", "10",
            "safety.max_memory", "512Mi", "safety.max_resource_factor", "2")));
    private final ResourceRef web = ResourceRef.of("Deployment", "default", "web");

    private ApiClient client() {
        return faults.wrap(kube.apiClient());
    }

    private TestContexts.RecordingActionContext ctx() {
        return TestContexts.action().apiClient(client()).incident(TestContexts.incident("crash-loop", web)).build();
    }

    private static ActionRequest req(String type, ResourceRef target, Map<String, Object> params, boolean dryRun) {
        return new ActionRequest("inc-1", type, target, params, 0.9, dryRun);
    }

    private V1Deployment read() throws ApiException {
        return new AppsV1Api(kube.apiClient()).readNamespacedDeployment("web", "default").execute();
    }

    private void patchDeployment(String jsonPatch) throws ApiException {
        AppsV1Api apps = new AppsV1Api(kube.apiClient());
        PatchUtils.patch(V1Deployment.class, () -> apps.patchNamespacedDeployment("web", "default", new V1Patch(jsonPatch)).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_PATCH, kube.apiClient());
    }

    // ---------------------------------------------------------------- rollout-restart

    @Test
    void rolloutRestartAnnotatesTheTemplateOncePerIncident() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(2).create(kube.apiClient());
        RolloutRestartAction a = new RolloutRestartAction(api);
        var ctx = ctx();
        ActionResult r = a.execute(req(ActionTypes.ROLLOUT_RESTART, web, Map.of(), false), ctx);
        assertInstanceOf(ActionResult.Applied.class, r, r.message());
        Map<String, String> ann = read().getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals(TestContexts.NOW.toString(), ann.get(Workloads.RESTARTED_AT));
        assertEquals("inc-1/rollout-restart", ann.get(WorkloadPatcher.RESTARTED_FOR));
        assertEquals("KubeIncidentRolloutRestart", ctx.events().get(0).reason());
        assertInstanceOf(ActionResult.Skipped.class, a.execute(req(ActionTypes.ROLLOUT_RESTART, web, Map.of(), false), ctx),
                "the same request twice restarts once");
    }

    @Test
    void rolloutRestartDryRunAndPausedDeployments() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(2).create(kube.apiClient());
        RolloutRestartAction a = new RolloutRestartAction(api);
        ActionResult dry = a.execute(req(ActionTypes.ROLLOUT_RESTART, web, Map.of(), true), ctx());
        assertInstanceOf(ActionResult.DryRun.class, dry, dry.message());
        assertFalse(read().getSpec().getTemplate().getMetadata().getAnnotations().containsKey(Workloads.RESTARTED_AT),
                "dry-run changed nothing");
        patchDeployment("[{\"op\":\"add\",\"path\":\"/spec/paused\",\"value\":true}]");
        assertTrue(a.validate(req(ActionTypes.ROLLOUT_RESTART, web, Map.of(), false), ctx()).get(0).contains("paused"));
        assertInstanceOf(ActionResult.Failed.class, a.execute(req(ActionTypes.ROLLOUT_RESTART, web, Map.of(), false), ctx()));
    }

    @Test
    void rolloutRestartConflictIsReReadOnce() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(2).create(kube.apiClient());
        faults.fail("PATCH", "/deployments/web", 409, 1);
        ActionResult r = new RolloutRestartAction(api).execute(req(ActionTypes.ROLLOUT_RESTART, web, Map.of(), false), ctx());
        assertInstanceOf(ActionResult.Applied.class, r, r.message());
        assertEquals(2, faults.count("PATCH", "/deployments/web"));
    }

    // ---------------------------------------------------------------- scale

    @Test
    void scaleWithinLimitsAndUndo() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(3).create(kube.apiClient());
        ScaleAction a = new ScaleAction(api, limits);
        ActionResult r = a.execute(req(ActionTypes.SCALE, web, Map.of("replicas", 5), false), ctx());
        var applied = assertInstanceOf(ActionResult.Applied.class, r, r.message());
        assertEquals(5, read().getSpec().getReplicas());
        assertInstanceOf(ActionResult.Skipped.class, a.execute(req(ActionTypes.SCALE, web, Map.of("replicas", 5), false), ctx()));
        ActionResult undone = a.undo(req(ActionTypes.SCALE, web, Map.of("replicas", 5), false), applied, ctx());
        assertInstanceOf(ActionResult.Applied.class, undone, undone.message());
        assertEquals(3, read().getSpec().getReplicas());
    }

    @Test
    void scaleRefusesAboveTheCeilingAndTheFactor() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(3).create(kube.apiClient());
        ScaleAction a = new ScaleAction(api, limits);
        List<String> tooMany = a.validate(req(ActionTypes.SCALE, web, Map.of("replicas", 11), false), ctx());
        assertTrue(String.join(" ", tooMany).contains("safety.max_replicas=10"), tooMany.toString());
        var f = assertInstanceOf(ActionResult.Failed.class, a.execute(req(ActionTypes.SCALE, web, Map.of("replicas", 7), false), ctx()));
        assertTrue(f.message().contains("max_scale_factor"), f.message());
        assertEquals(3, read().getSpec().getReplicas());
        ActionResult dry = a.execute(req(ActionTypes.SCALE, web, Map.of("replicas", 6), true), ctx());
        assertInstanceOf(ActionResult.DryRun.class, dry, dry.message());
        assertEquals(3, read().getSpec().getReplicas());
    }

    @Test
    void anHpaOwnsTheReplicaCount() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(2).create(kube.apiClient());
        new AutoscalingV2Api(kube.apiClient()).createNamespacedHorizontalPodAutoscaler("default", new V2HorizontalPodAutoscaler()
                .metadata(new V1ObjectMeta().name("web-hpa").namespace("default"))
                .spec(new V2HorizontalPodAutoscalerSpec().minReplicas(2).maxReplicas(4)
                        .scaleTargetRef(new V2CrossVersionObjectReference().apiVersion("apps/v1").kind("Deployment").name("web")))).execute();
        ScaleAction a = new ScaleAction(api, limits);
        ActionResult r = a.execute(req(ActionTypes.SCALE, web, Map.of("replicas", 4), false), ctx());
        var applied = assertInstanceOf(ActionResult.Applied.class, r, r.message());
        assertTrue(r.message().contains("minReplicas of HorizontalPodAutoscaler web-hpa from 2 to 4"), r.message());
        var hpa = new AutoscalingV2Api(kube.apiClient()).readNamespacedHorizontalPodAutoscaler("web-hpa", "default").execute();
        assertEquals(4, hpa.getSpec().getMinReplicas());
        assertEquals(2, read().getSpec().getReplicas(), "the Deployment itself is left to the HPA");
        var over = a.validate(req(ActionTypes.SCALE, web, Map.of("replicas", 5), false), ctx());
        assertTrue(over.stream().anyMatch(s -> s.contains("allows at most 4")), over.toString());
        a.undo(req(ActionTypes.SCALE, web, Map.of("replicas", 4), false), applied, ctx());
        assertEquals(2, new AutoscalingV2Api(kube.apiClient()).readNamespacedHorizontalPodAutoscaler("web-hpa", "default")
                .execute().getSpec().getMinReplicas());
    }

    // ---------------------------------------------------------------- rollback

    @Test
    void rollbackGoesToThePreviousRevisionTheWayKubectlDoes() throws ApiException {
        Workload w = DeploymentBuilder.deployment("default", "web").replicas(2).image("web:2").previousRevision("web:1")
                .pods(p -> p.imagePullBackOff()).create(kube.apiClient());
        RollbackDeploymentAction a = new RollbackDeploymentAction(api);
        var ctx = ctx();
        assertEquals(List.of(), a.validate(req(ActionTypes.ROLLBACK_DEPLOYMENT, web, Map.of(), false), ctx));
        ActionResult r = a.execute(req(ActionTypes.ROLLBACK_DEPLOYMENT, web, Map.of(), false), ctx);
        var applied = assertInstanceOf(ActionResult.Applied.class, r, r.message());
        assertTrue(r.message().contains("from revision 2 to revision 1"), r.message());
        V1Deployment d = read();
        assertEquals("web:1", d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertFalse(d.getSpec().getTemplate().getMetadata().getLabels().containsKey("pod-template-hash"));
        assertEquals("2", d.getMetadata().getAnnotations().get(Workloads.REVISION), "the revision annotation is the controller's");
        assertEquals("KubeIncidentRollback", ctx.events().get(0).reason());
        assertEquals(2L, ((Number) applied.undoState().get("fromRevision")).longValue());
        assertInstanceOf(ActionResult.Skipped.class, a.execute(req(ActionTypes.ROLLBACK_DEPLOYMENT, web, Map.of("toRevision", 1), false), ctx),
                "already at revision 1's template");

        // the emulated controller rolls it out: revision 3 with the old template, new pods Ready
        try (ControllerEmulator emu = ControllerEmulator.builder(kube.apiClient()).namespaces("default").build()) {
            emu.reconcileOnce();
        }
        ActionResult undone = a.undo(req(ActionTypes.ROLLBACK_DEPLOYMENT, web, Map.of(), false), applied, ctx);
        assertInstanceOf(ActionResult.Applied.class, undone, undone.message());
        assertEquals("web:2", read().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(2, w.replicaSets().size());
    }

    @Test
    void rollbackRefusesPausedDeploymentsAndMissingHistory() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(1).create(kube.apiClient());
        RollbackDeploymentAction a = new RollbackDeploymentAction(api);
        var none = a.validate(req(ActionTypes.ROLLBACK_DEPLOYMENT, web, Map.of(), false), ctx());
        assertTrue(none.get(0).contains("no earlier revision"), none.toString());
        var missing = a.validate(req(ActionTypes.ROLLBACK_DEPLOYMENT, web, Map.of("toRevision", 7), false), ctx());
        assertTrue(missing.get(0).contains("revision 7"), missing.toString());
        patchDeployment("[{\"op\":\"add\",\"path\":\"/spec/paused\",\"value\":true}]");
        var f = assertInstanceOf(ActionResult.Failed.class, a.execute(req(ActionTypes.ROLLBACK_DEPLOYMENT, web, Map.of(), false), ctx()));
        assertTrue(f.message().contains("paused"), f.message());
    }

    @Test
    void rollbackDryRunChangesNothing() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(1).image("web:2").previousRevision("web:1").create(kube.apiClient());
        ActionResult r = new RollbackDeploymentAction(api).execute(req(ActionTypes.ROLLBACK_DEPLOYMENT, web, Map.of(), true), ctx());
        assertInstanceOf(ActionResult.DryRun.class, r, r.message());
        assertEquals("web:2", read().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    }

    // ---------------------------------------------------------------- adjust-resources

    private void withMemory(String limit, String request) throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(1).pods(p -> p.oomKilled(3)).create(kube.apiClient());
        StringBuilder res = new StringBuilder("{\"limits\":{\"memory\":\"" + limit + "\"}");
        if (request != null) res.append(",\"requests\":{\"memory\":\"").append(request).append("\"}");
        res.append('}');
        patchDeployment("[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/resources\",\"value\":" + res + "}]");
    }

    private Quantity memoryLimit() throws ApiException {
        return read().getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits().get("memory");
    }

    @Test
    void adjustResourcesRaisesMemoryByTheFactorAndUndoes() throws ApiException {
        withMemory("256Mi", "128Mi");
        AdjustResourcesAction a = new AdjustResourcesAction(api, limits);
        var request = req(ActionTypes.ADJUST_RESOURCES, web, Map.of("factor", 1.5), false);
        ActionResult r = a.execute(request, ctx());
        var applied = assertInstanceOf(ActionResult.Applied.class, r, r.message());
        assertEquals(Quantity.fromString("384Mi"), memoryLimit());
        assertEquals(Quantity.fromString("192Mi"), read().getSpec().getTemplate().getSpec().getContainers().get(0)
                .getResources().getRequests().get("memory"));
        assertInstanceOf(ActionResult.Skipped.class, a.execute(request, ctx()), "not raised twice for one incident");
        assertInstanceOf(ActionResult.Applied.class, a.undo(request, applied, ctx()));
        assertEquals(Quantity.fromString("256Mi"), memoryLimit());
    }

    @Test
    void adjustResourcesNeverGoesAboveTheCap() throws ApiException {
        withMemory("384Mi", null);
        AdjustResourcesAction a = new AdjustResourcesAction(api, limits);
        ActionResult r = a.execute(req(ActionTypes.ADJUST_RESOURCES, web, Map.of("factor", 2), false), ctx());
        assertInstanceOf(ActionResult.Applied.class, r, r.message());
        assertTrue(r.message().contains("cut to the cap"), r.message());
        assertEquals(Quantity.fromString("512Mi"), memoryLimit());
        var atCap = new ActionRequest("inc-2", ActionTypes.ADJUST_RESOURCES, web, Map.of("factor", 1.5), 0.9, false);
        var f = assertInstanceOf(ActionResult.Failed.class, a.execute(atCap, ctx()));
        assertTrue(f.message().contains("already at or above the cap"), f.message());
        var tooFast = a.validate(req(ActionTypes.ADJUST_RESOURCES, web, Map.of("factor", 3), false), ctx());
        assertTrue(tooFast.get(0).contains("max_resource_factor"), tooFast.toString());
    }

    @Test
    void adjustResourcesNeedsSomethingToRaise() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(1).create(kube.apiClient());
        var problems = new AdjustResourcesAction(api, limits).validate(req(ActionTypes.ADJUST_RESOURCES, web, Map.of(), false), ctx());
        assertTrue(problems.get(0).contains("sets no memory limit or request"), problems.toString());
        var noContainer = new AdjustResourcesAction(api, limits).validate(
                req(ActionTypes.ADJUST_RESOURCES, web, Map.of("container", "sidecar"), false), ctx());
        assertTrue(noContainer.get(0).contains("no container sidecar"), noContainer.toString());
    }

    @Test
    void everyCatalogSchemaIsClosed() {
        for (var a : List.of(new RestartPodAction(api), new RolloutRestartAction(api), new ScaleAction(api, limits),
                new RollbackDeploymentAction(api), new AdjustResourcesAction(api, limits), new PatchConfigMapAction(api),
                new PatchSecretAction(api, SecretUndoVault.defaults(TestContexts.CLOCK)), new CordonNodeAction(api, limits),
                new DrainNodeAction(api, limits, DrainConfig.defaults()))) {
            assertEquals(false, a.parametersSchema().get("additionalProperties"), a.id());
            assertFalse(a.permissions().isEmpty(), a.id());
            assertTrue(a.enableKey() != null && a.enableKey().startsWith("enable_"), a.id());
            assertTrue(a.id().equals(a.descriptor().id()));
        }
        new CoreV1Api(kube.apiClient());
    }
}

package io.kubeincident.core.action;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.NodeBuilder;
import io.kubeincident.testkit.scenario.PodBuilder;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.util.PatchUtils;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every action of the catalog against the same faults on its write: 403 fails naming the RBAC permission,
 * 5xx and timeouts are retried a bounded number of times and then fail as retryable, a missing target is
 * skipped, and nothing changes on the server in any of these.
 */
class FaultMatrixTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    private static final KubeApi API = new KubeApi(ApiRetryConfig.defaults(), Sleeper.NONE);

    /** One row: the action, how to set up its target, its request, and the write it makes (method, path regex, verb). */
    record Case(String name, RemediationAction action, Setup setup, ResourceRef target, Map<String, Object> params,
                String method, String path, String permission) {
        @Override
        public String toString() {
            return name;
        }
    }

    interface Setup {
        void run(ApiClient c) throws Exception;
    }

    private static void web(ApiClient c) throws Exception {
        DeploymentBuilder.deployment("default", "web").replicas(2).image("web:2").previousRevision("web:1").create(c);
        AppsV1Api apps = new AppsV1Api(c);
        V1Patch p = new V1Patch("[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/resources\",\"value\":{\"limits\":{\"memory\":\"128Mi\"}}}]");
        PatchUtils.patch(V1Deployment.class, () -> apps.patchNamespacedDeployment("web", "default", p).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_PATCH, c);
    }

    static List<Case> cases() {
        SafetyConfig limits = SafetyConfig.defaults();
        ResourceRef web = ResourceRef.of("Deployment", "default", "web");
        ResourceRef node = ResourceRef.cluster("Node", "node-1");
        Setup nodes = c -> {
            NodeBuilder.node("node-1").ready().create(c);
            NodeBuilder.node("node-2").ready().create(c);
            PodBuilder.pod("default", "web-1").node("node-1").ownedBy("apps/v1", "ReplicaSet", "web-rs", "rs-uid").running().create(c);
        };
        return List.of(
                new Case("restart-pod", new RestartPodAction(API),
                        c -> PodBuilder.pod("default", "web-1").ownedBy("apps/v1", "ReplicaSet", "web-rs", "u").crashLoopBackOff(3).create(c),
                        ResourceRef.of("Pod", "default", "web-1"), Map.of(), "DELETE", "/pods/web-1", "delete pods"),
                new Case("rollout-restart", new RolloutRestartAction(API), FaultMatrixTest::web, web, Map.of(),
                        "PATCH", "/deployments/web", "patch apps/deployments"),
                new Case("scale", new ScaleAction(API, limits), FaultMatrixTest::web, web, Map.of("replicas", 3),
                        "PATCH", "/deployments/web", "patch apps/deployments"),
                new Case("rollback-deployment", new RollbackDeploymentAction(API), FaultMatrixTest::web, web, Map.of(),
                        "PATCH", "/deployments/web", "patch apps/deployments"),
                new Case("adjust-resources", new AdjustResourcesAction(API, limits), FaultMatrixTest::web, web, Map.of("factor", 1.5),
                        "PATCH", "/deployments/web", "patch apps/deployments"),
                new Case("patch-configmap", new PatchConfigMapAction(API),
                        c -> new CoreV1Api(c).createNamespacedConfigMap("default", new V1ConfigMap()
                                .metadata(new V1ObjectMeta().name("cfg").namespace("default")).data(Map.of("A", "1"))).execute(),
                        ResourceRef.of("ConfigMap", "default", "cfg"), Map.of("data", Map.of("A", "2")),
                        "PATCH", "/configmaps/cfg", "patch configmaps"),
                new Case("patch-secret", new PatchSecretAction(API, SecretUndoVault.defaults(TestContexts.CLOCK)),
                        c -> new CoreV1Api(c).createNamespacedSecret("default", new V1Secret()
                                .metadata(new V1ObjectMeta().name("sec").namespace("default"))
                                .data(Map.of("A", "1".getBytes(StandardCharsets.UTF_8)))).execute(),
                        ResourceRef.of("Secret", "default", "sec"), Map.of("data", Map.of("A", "2")),
                        "PATCH", "/secrets/sec", "patch secrets"),
                new Case("cordon-node", new CordonNodeAction(API, limits), nodes, node, Map.of(), "PATCH", "/nodes/node-1", "patch nodes"),
                new Case("drain-node", new DrainNodeAction(API, limits, new DrainConfig(Duration.ofSeconds(10), 2, Duration.ZERO, Duration.ZERO)),
                        nodes, node, Map.of(), "PATCH", "/nodes/node-1", "patch nodes"));
    }

    private static ActionRequest req(Case c, ResourceRef target) {
        return new ActionRequest("inc-1", c.action().id(), target, c.params(), 0.9, false);
    }

    /** Every object the actions may write, with its resourceVersion: any write changes one. */
    private static Map<String, String> state() throws Exception {
        Map<String, String> m = new java.util.TreeMap<>();
        CoreV1Api core = new CoreV1Api(kube.apiClient());
        AppsV1Api apps = new AppsV1Api(kube.apiClient());
        core.listPodForAllNamespaces().execute().getItems().forEach(o -> m.put("pod/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion()));
        core.listNode().execute().getItems().forEach(o -> m.put("node/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion()));
        core.listConfigMapForAllNamespaces().execute().getItems().forEach(o -> m.put("cm/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion()));
        core.listSecretForAllNamespaces().execute().getItems().forEach(o -> m.put("secret/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion()));
        apps.listDeploymentForAllNamespaces().execute().getItems().forEach(o -> m.put("deploy/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion()));
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forbiddenFailsNamingThePermissionAndChangesNothing(Case c) throws Exception {
        c.setup().run(kube.apiClient());
        FaultInjector faults = new FaultInjector().fail(c.method(), c.path(), 403, 100);
        var before = state();
        ActionResult r = c.action().execute(req(c, c.target()), TestContexts.action().apiClient(faults.wrap(kube.apiClient()))
                .incident(TestContexts.incident("test", c.target())).build());
        var f = assertInstanceOf(ActionResult.Failed.class, r, r.message());
        assertTrue(f.message().contains("RBAC permission missing: " + c.permission()), f.message());
        assertFalse(f.retryable());
        org.junit.jupiter.api.Assertions.assertEquals(before, state(), "a forbidden write changed something");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void serverErrorsAreRetriedABoundedNumberOfTimesThenFailRetryable(Case c) throws Exception {
        c.setup().run(kube.apiClient());
        FaultInjector faults = new FaultInjector().fail(c.method(), c.path(), 503, 100);
        ActionResult r = c.action().execute(req(c, c.target()), TestContexts.action().apiClient(faults.wrap(kube.apiClient()))
                .incident(TestContexts.incident("test", c.target())).build());
        var f = assertInstanceOf(ActionResult.Failed.class, r, r.message());
        assertTrue(f.retryable(), f.message());
        assertTrue(faults.count(c.method(), c.path()) == 3, c.name() + ": " + faults.seen());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aTimeoutOnceIsRetriedAndTheActionCompletes(Case c) throws Exception {
        c.setup().run(kube.apiClient());
        FaultInjector faults = new FaultInjector().fail(c.method(), c.path(), 0, 1);
        ActionResult r = c.action().execute(req(c, c.target()), TestContexts.action().apiClient(faults.wrap(kube.apiClient()))
                .incident(TestContexts.incident("test", c.target())).build());
        assertInstanceOf(ActionResult.Applied.class, r, r.message());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aMissingTargetIsSkipped(Case c) throws Exception {
        c.setup().run(kube.apiClient());
        ResourceRef gone = new ResourceRef(c.target().kind(), c.target().namespace(), "gone-" + c.target().name(), null);
        ActionResult r = c.action().execute(req(c, gone), TestContexts.action().apiClient(kube.apiClient())
                .incident(TestContexts.incident("test", gone)).build());
        assertInstanceOf(ActionResult.Skipped.class, r, r.message());
    }
}

package io.kubeincident.core.action;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.util.PatchUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** patch-configmap and patch-secret against the loopback API server. */
class ConfigActionsTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    private final FaultInjector faults = new FaultInjector();
    private final KubeApi api = new KubeApi(ApiRetryConfig.defaults(), Sleeper.NONE);
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

    /** web (in the incident) and api (not) both read ConfigMap app-config and Secret app-secret. */
    private void consumers() throws ApiException {
        for (String name : List.of("web", "api")) {
            DeploymentBuilder.deployment("default", name).replicas(1).create(kube.apiClient());
            AppsV1Api apps = new AppsV1Api(kube.apiClient());
            String p = "[{\"op\":\"add\",\"path\":\"/spec/template/spec/volumes\",\"value\":[{\"name\":\"cfg\",\"configMap\":{\"name\":\"app-config\"}}]},"
                    + "{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/envFrom\",\"value\":[{\"secretRef\":{\"name\":\"app-secret\"}}]}]";
            PatchUtils.patch(V1Deployment.class, () -> apps.patchNamespacedDeployment(name, "default", new V1Patch(p)).buildCall(null),
                    V1Patch.PATCH_FORMAT_JSON_PATCH, kube.apiClient());
        }
    }

    private Map<String, String> template(String name) throws ApiException {
        return new AppsV1Api(kube.apiClient()).readNamespacedDeployment(name, "default").execute().getSpec().getTemplate()
                .getMetadata().getAnnotations();
    }

    private V1ConfigMap configMap() throws ApiException {
        return new CoreV1Api(kube.apiClient()).readNamespacedConfigMap("app-config", "default").execute();
    }

    @Test
    void patchConfigMapKeepsPreviousValuesRollsOnlyTheIncidentsConsumersAndUndoes() throws ApiException {
        consumers();
        new CoreV1Api(kube.apiClient()).createNamespacedConfigMap("default", new V1ConfigMap()
                .metadata(new V1ObjectMeta().name("app-config").namespace("default"))
                .data(Map.of("DB_HOST", "db-old", "LOG_LEVEL", "info"))).execute();
        ResourceRef cm = ResourceRef.of("ConfigMap", "default", "app-config");
        PatchConfigMapAction a = new PatchConfigMapAction(api);
        var request = req(ActionTypes.PATCH_CONFIGMAP, cm, Map.of("data", Map.of("DB_HOST", "db-new", "POOL", "10")), false);
        var ctx = ctx();
        ActionResult r = a.execute(request, ctx);
        var applied = assertInstanceOf(ActionResult.Applied.class, r, r.message());
        assertEquals(Map.of("DB_HOST", "db-new", "LOG_LEVEL", "info", "POOL", "10"), configMap().getData());
        assertEquals(Map.of("DB_HOST", "db-old"), applied.undoState().get("previous"));
        assertEquals(List.of("POOL"), applied.undoState().get("absent"));
        assertTrue(template("web").containsKey(Workloads.RESTARTED_AT), "the incident's consumer was restarted");
        assertFalse(template("api").containsKey(Workloads.RESTARTED_AT), "a consumer outside the incident is not touched");
        assertTrue(r.message().contains("Deployment/default/api") && r.message().contains("not restarted"), r.message());
        assertEquals("KubeIncidentPatchConfigMap", ctx.events().get(0).reason());

        assertInstanceOf(ActionResult.Skipped.class, a.execute(request, ctx), "values already set: nothing to do");
        ActionResult undone = a.undo(request, applied, ctx);
        assertInstanceOf(ActionResult.Applied.class, undone, undone.message());
        assertEquals(Map.of("DB_HOST", "db-old", "LOG_LEVEL", "info"), configMap().getData());
    }

    @Test
    void patchConfigMapRefusesImmutableMapsAndDryRunChangesNothing() throws ApiException {
        new CoreV1Api(kube.apiClient()).createNamespacedConfigMap("default", new V1ConfigMap()
                .metadata(new V1ObjectMeta().name("app-config").namespace("default")).data(Map.of("A", "1"))).execute();
        ResourceRef cm = ResourceRef.of("ConfigMap", "default", "app-config");
        PatchConfigMapAction a = new PatchConfigMapAction(api);
        ActionResult dry = a.execute(req(ActionTypes.PATCH_CONFIGMAP, cm, Map.of("data", Map.of("A", "2")), true), ctx());
        assertInstanceOf(ActionResult.DryRun.class, dry, dry.message());
        assertEquals(Map.of("A", "1"), configMap().getData());

        new CoreV1Api(kube.apiClient()).createNamespacedConfigMap("default", new V1ConfigMap()
                .metadata(new V1ObjectMeta().name("frozen").namespace("default")).data(Map.of("A", "1")).immutable(true)).execute();
        var problems = a.validate(req(ActionTypes.PATCH_CONFIGMAP, ResourceRef.of("ConfigMap", "default", "frozen"),
                Map.of("data", Map.of("A", "2")), false), ctx());
        assertTrue(problems.get(0).contains("immutable"), problems.toString());
        var gone = a.execute(req(ActionTypes.PATCH_CONFIGMAP, ResourceRef.of("ConfigMap", "default", "nope"), Map.of("data", Map.of("A", "2")), false), ctx());
        assertInstanceOf(ActionResult.Skipped.class, gone);
    }

    @Test
    void patchSecretNeverLetsAValueOutAndUndoesFromMemory() throws ApiException {
        consumers();
        new CoreV1Api(kube.apiClient()).createNamespacedSecret("default", new V1Secret()
                .metadata(new V1ObjectMeta().name("app-secret").namespace("default"))
                .data(Map.of("password", "old-s3cret-value".getBytes(StandardCharsets.UTF_8)))).execute();
        ResourceRef s = ResourceRef.of("Secret", "default", "app-secret");
        SecretUndoVault vault = SecretUndoVault.defaults(TestContexts.CLOCK);
        PatchSecretAction a = new PatchSecretAction(api, vault);
        var request = req(ActionTypes.PATCH_SECRET, s, Map.of("data", Map.of("password", "n3w-s3cret-value")), false);
        var ctx = ctx();
        ActionResult r = a.execute(request, ctx);
        var applied = assertInstanceOf(ActionResult.Applied.class, r, r.message());
        V1Secret stored = new CoreV1Api(kube.apiClient()).readNamespacedSecret("app-secret", "default").execute();
        assertEquals("n3w-s3cret-value", new String(stored.getData().get("password"), StandardCharsets.UTF_8));

        String everythingSaid = r.message() + JSON.serialize(applied.undoState()) + ctx.events();
        for (String secret : List.of("n3w-s3cret-value", "old-s3cret-value", "bjN3LXMzY3JldC12YWx1ZQ", "b2xkLXMzY3JldC12YWx1ZQ")) {
            assertFalse(everythingSaid.contains(secret), "leaked " + secret + " in " + everythingSaid);
        }
        assertEquals(List.of("password"), applied.undoState().get("keys"));
        assertEquals(Map.of("data", Map.of("password", "<redacted>")), a.redactParameters(request.parameters()));
        assertTrue(template("web").containsKey(Workloads.RESTARTED_AT));

        ActionResult undone = a.undo(request, applied, ctx);
        assertInstanceOf(ActionResult.Applied.class, undone, undone.message());
        stored = new CoreV1Api(kube.apiClient()).readNamespacedSecret("app-secret", "default").execute();
        assertEquals("old-s3cret-value", new String(stored.getData().get("password"), StandardCharsets.UTF_8));
        assertEquals(0, vault.size(), "the previous value is dropped once restored");
        var again = assertInstanceOf(ActionResult.Failed.class, a.undo(request, applied, ctx));
        assertTrue(again.message().contains("no longer held"), again.message());
    }

    @Test
    void patchSecretErrorsDoNotEchoTheServersText() throws ApiException {
        new CoreV1Api(kube.apiClient()).createNamespacedSecret("default", new V1Secret()
                .metadata(new V1ObjectMeta().name("app-secret").namespace("default"))
                .data(Map.of("password", "x".getBytes(StandardCharsets.UTF_8)))).execute();
        faults.fail("PATCH", "/secrets/app-secret", 500, 10);
        ActionResult r = new PatchSecretAction(api, SecretUndoVault.defaults(TestContexts.CLOCK))
                .execute(req(ActionTypes.PATCH_SECRET, ResourceRef.of("Secret", "default", "app-secret"),
                        Map.of("data", Map.of("password", "y")), false), ctx());
        var f = assertInstanceOf(ActionResult.Failed.class, r);
        assertTrue(f.message().contains("HTTP 500") && !f.message().contains("injected"), f.message());
        assertEquals(3, faults.count("PATCH", "/secrets/app-secret"));
    }
}

package io.kubeincident.testkit.server;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.ApisApi;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.apis.CoreApi;
import io.kubernetes.client.openapi.apis.PolicyApi;
import io.kubernetes.client.openapi.models.V1APIGroupList;
import io.kubernetes.client.openapi.models.V1APIResourceList;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.VersionApi;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1LeaseSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.VersionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopbackKubeServerTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    static V1Pod pod(String ns, String name, Map<String, String> labels, String node, String phase) {
        return new V1Pod().metadata(new V1ObjectMeta().name(name).namespace(ns).labels(labels))
                .spec(new V1PodSpec().nodeName(node).containers(List.of(new V1Container().name("app").image("app:1"))))
                .status(new V1PodStatus().phase(phase));
    }

    @Test
    void createGetDeleteWithServerAssignedMetadata(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        V1Pod created = core.createNamespacedPod("default", pod("default", "p1", Map.of("app", "web"), "n1", "Running")).execute();
        assertNotNull(created.getMetadata().getUid());
        assertNotNull(created.getMetadata().getResourceVersion());
        assertEquals("Running", core.readNamespacedPod("p1", "default").execute().getStatus().getPhase());
        ApiException dup = assertThrows(ApiException.class,
                () -> core.createNamespacedPod("default", pod("default", "p1", Map.of(), null, null)).execute());
        assertEquals(409, dup.getCode());
        core.deleteNamespacedPod("p1", "default").execute();
        ApiException gone = assertThrows(ApiException.class, () -> core.readNamespacedPod("p1", "default").execute());
        assertEquals(404, gone.getCode());
        assertTrue(gone.getResponseBody().contains("\"reason\":\"NotFound\""), gone.getResponseBody());
    }

    @Test
    void staleResourceVersionIsAConflict(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        V1Pod created = core.createNamespacedPod("default", pod("default", "p2", Map.of(), null, "Pending")).execute();
        V1Pod first = core.replaceNamespacedPod("p2", "default", created.status(new V1PodStatus().phase("Running"))).execute();
        assertTrue(Long.parseLong(first.getMetadata().getResourceVersion()) > Long.parseLong(created.getMetadata().getResourceVersion()));
        created.getMetadata().setResourceVersion("1");
        ApiException e = assertThrows(ApiException.class, () -> core.replaceNamespacedPod("p2", "default", created).execute());
        assertEquals(409, e.getCode());
    }

    @Test
    void updateWithoutResourceVersionIsUnconditional(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        V1Pod created = core.createNamespacedPod("default", pod("default", "u", Map.of(), null, "Pending")).execute();
        created.getMetadata().setResourceVersion(null);
        created.getMetadata().setLabels(Map.of("x", "y"));
        assertEquals(Map.of("x", "y"), core.replaceNamespacedPod("u", "default", created).execute().getMetadata().getLabels());
        ApiException missing = assertThrows(ApiException.class, () -> core.replaceNamespacedPod("nope", "default",
                pod("default", "nope", Map.of(), null, null)).execute());
        assertEquals(404, missing.getCode());
    }

    @Test
    void generationFollowsSpecChangesOnly(ApiClient client) throws Exception {
        AppsV1Api apps = new AppsV1Api(client);
        V1Deployment d = apps.createNamespacedDeployment("default", GapFillTest.deployment("gen", 1)).execute();
        assertEquals(1L, d.getMetadata().getGeneration());
        d.getMetadata().setLabels(Map.of("touched", "yes"));
        d = apps.replaceNamespacedDeployment("gen", "default", d).execute();
        assertEquals(1L, d.getMetadata().getGeneration(), "a metadata change keeps the generation");
        d = apps.replaceNamespacedDeploymentStatus("gen", "default", d.status(new V1DeploymentStatus().observedGeneration(1L)))
                .execute();
        assertEquals(1L, d.getMetadata().getGeneration(), "a status change keeps the generation");
        d.getSpec().setReplicas(4);
        d = apps.replaceNamespacedDeployment("gen", "default", d).execute();
        assertEquals(2L, d.getMetadata().getGeneration(), "a spec change bumps the generation");
        assertEquals(1L, d.getStatus().getObservedGeneration());
    }

    @Test
    void defaultsApiVersionAndKindFromTheUrl(ApiClient client) throws Exception {
        // client-java's LeaseLock sends a Lease without apiVersion/kind.
        V1Lease lease = new V1Lease().metadata(new V1ObjectMeta().name("leader").namespace("default"))
                .spec(new V1LeaseSpec().holderIdentity("me"));
        V1Lease created = new CoordinationV1Api(client).createNamespacedLease("default", lease).execute();
        assertEquals("coordination.k8s.io/v1", created.getApiVersion());
        assertEquals("Lease", created.getKind());
        assertEquals("me", new CoordinationV1Api(client).readNamespacedLease("leader", "default").execute().getSpec().getHolderIdentity());
    }

    @Test
    void generateNameGetsASuffix(ApiClient client) throws Exception {
        V1Pod p = new V1Pod().metadata(new V1ObjectMeta().generateName("web-")).spec(new V1PodSpec().containers(List.of()));
        V1Pod created = new CoreV1Api(client).createNamespacedPod("default", p).execute();
        assertTrue(created.getMetadata().getName().matches("web-[a-z0-9]{5}"), created.getMetadata().getName());
    }

    @Test
    void objectWithoutNameIsInvalid(ApiClient client) {
        V1Pod p = new V1Pod().metadata(new V1ObjectMeta()).spec(new V1PodSpec().containers(List.of()));
        ApiException e = assertThrows(ApiException.class, () -> new CoreV1Api(client).createNamespacedPod("default", p).execute());
        assertEquals(422, e.getCode());
    }

    @Test
    void podLogsAnswerContainerAndPrevious(LoopbackKubeServer server, ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespacedPod("default", pod("default", "logs", Map.of(), null, "Running")).execute();
        server.expectPodLog("default", "logs", "app", false, "line 1\nline 2\nline 3\n");
        server.expectPodLog("default", "logs", "app", true, "panic: boom\n");
        assertEquals("line 1\nline 2\nline 3\n", core.readNamespacedPodLog("logs", "default").container("app").execute());
        assertEquals("panic: boom\n", core.readNamespacedPodLog("logs", "default").container("app").previous(true).execute());
        assertEquals("line 3\n", core.readNamespacedPodLog("logs", "default").container("app").tailLines(1).execute());
        assertEquals("line 1\nline 2\nline 3\n", core.readNamespacedPodLog("logs", "default").execute());
        ApiException missing = assertThrows(ApiException.class, () -> core.readNamespacedPodLog("nope", "default").execute());
        assertEquals(404, missing.getCode());
    }

    @Test
    void previousLogOfAContainerThatNeverRestartedIsABadRequest(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespacedPod("default", pod("default", "fresh", Map.of(), null, "Running")).execute();
        ApiException e = assertThrows(ApiException.class,
                () -> core.readNamespacedPodLog("fresh", "default").container("app").previous(true).execute());
        assertEquals(400, e.getCode());
    }

    @Test
    void discoveryAnswersVersionApiAndApis(LoopbackKubeServer server, ApiClient client) throws Exception {
        VersionInfo v = new VersionApi(client).getCode().execute();
        assertEquals("1", v.getMajor());
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/api", "/apis", "/api/v1", "/apis/apps/v1")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), path);
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/apis/apps/v1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(r.body().contains("\"deployments/scale\""), r.body());
        HttpResponse<String> apis = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/apis")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(apis.body().contains("\"policy/v1\""), apis.body());
    }

    @Test
    void discoveryParsesWithClientJavaModels(ApiClient client) throws Exception {
        assertEquals(List.of("v1"), new CoreApi(client).getAPIVersions().execute().getVersions());
        V1APIGroupList groups = new ApisApi(client).getAPIVersions().execute();
        assertTrue(groups.getGroups().stream().anyMatch(g -> g.getName().equals("apps")));
        V1APIResourceList core = new CoreV1Api(client).getAPIResources().execute();
        assertTrue(core.getResources().stream().anyMatch(r -> r.getName().equals("pods") && r.getNamespaced()));
        assertTrue(core.getResources().stream().anyMatch(r -> r.getName().equals("nodes") && !r.getNamespaced()));
        V1APIResourceList apps = new AppsV1Api(client).getAPIResources().execute();
        assertTrue(apps.getResources().stream().anyMatch(r -> r.getName().equals("deployments/scale")));
        assertEquals("policy", new PolicyApi(client).getAPIGroup().execute().getName());
    }

    @Test
    void resetDeletesEverything(LoopbackKubeServer server, ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespacedPod("a", pod("a", "x", Map.of(), null, null)).execute();
        server.reset();
        assertEquals(0, core.listPodForAllNamespaces().execute().getItems().size());
    }
}

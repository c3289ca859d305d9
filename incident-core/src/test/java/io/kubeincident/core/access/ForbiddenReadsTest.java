package io.kubeincident.core.access;

import io.kubeincident.testkit.server.LoopbackKubeServer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Refused reads are collected once per verb and resource, with the server's message; writes and other codes are not. */
class ForbiddenReadsTest {

    @Test
    void eachMissingReadPermissionOnceWithItsCount() throws Exception {
        try (LoopbackKubeServer server = LoopbackKubeServer.start()) {
            CoreV1Api admin = new CoreV1Api(server.apiClient());
            admin.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("shop"))).execute();
            admin.createNamespacedConfigMap("shop", new V1ConfigMap().metadata(new V1ObjectMeta().name("cfg"))).execute();
            server.loadRbac("""
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRole
                    metadata: {name: r}
                    rules: [{apiGroups: [""], resources: [pods], verbs: [list]}]
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRoleBinding
                    metadata: {name: r}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
                    subjects: [{kind: ServiceAccount, name: bot, namespace: ops}]
                    """);
            server.enforceRbac();
            ApiClient client = server.apiClientAs("ops", "bot");
            ForbiddenReads reads = ForbiddenReads.install(client, "run `responder rbac`");
            CoreV1Api core = new CoreV1Api(client);
            core.listNamespacedPod("shop").execute();
            for (int i = 0; i < 3; i++) assertThrows(ApiException.class, () -> core.readNamespacedConfigMap("cfg", "shop").execute());
            assertThrows(ApiException.class, () -> new AppsV1Api(client).listDeploymentForAllNamespaces().execute());
            assertThrows(ApiException.class, () -> core.deleteNamespacedConfigMap("cfg", "shop").execute());
            assertThrows(ApiException.class, () -> core.readNamespacedConfigMap("nope", "elsewhere").execute());

            List<ForbiddenReads.Denial> d = reads.denials();
            assertEquals(List.of("get configmaps", "list deployments.apps"), d.stream().map(ForbiddenReads.Denial::permission).toList(),
                    "writes are the actions' business; each read permission once");
            assertEquals(4, d.get(0).count());
            assertTrue(d.get(0).message().startsWith("configmaps \"cfg\" is forbidden: User \"system:serviceaccount:ops:bot\" cannot get"),
                    d.get(0).message());
        }
    }

    @Test
    void requestAttributes() {
        assertArrayEquals(new String[]{"get", "", "pods/log"}, ForbiddenReads.access(get("/api/v1/namespaces/a/pods/p/log")));
        assertArrayEquals(new String[]{"watch", "apps", "deployments"}, ForbiddenReads.access(get("/apis/apps/v1/deployments?watch=true")));
        assertArrayEquals(new String[]{"list", "", "pods"}, ForbiddenReads.access(get("/api/v1/namespaces/a/pods")));
        assertArrayEquals(new String[]{"get", "", "namespaces"}, ForbiddenReads.access(get("/api/v1/namespaces/a")));
        assertNull(ForbiddenReads.access(get("/apis/apps/v1")));
        assertNull(ForbiddenReads.access(get("/version")));
    }

    private static Request get(String path) {
        return new Request.Builder().url("http://127.0.0.1:1" + path).build();
    }
}

package io.kubeincident.testkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1RoleRef;
import io.kubernetes.client.openapi.models.V1Scale;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RBAC enforcement of the loopback API server, one dimension at a time (verb, watch, resource,
 * subresource, API group, namespace, resource name, wildcards, non-resource URLs, bindings), each shown
 * allowed and denied, with the real server's 403 Status.
 */
class RbacEnforcementTest {

    /** One server per test: enforcement is a switch that stays on. */
    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SA = "system:serviceaccount:ops:bot";
    private final OkHttpClient http = new OkHttpClient();
    private LoopbackKubeServer server;
    private ApiClient admin;
    private ApiClient bot;

    @BeforeEach
    void setUp(LoopbackKubeServer s) throws ApiException {
        server = s;
        admin = s.apiClient();
        bot = s.apiClientAs("ops", "bot");
        CoreV1Api core = new CoreV1Api(admin);
        for (String ns : List.of("ops", "a", "b")) {
            core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(ns))).execute();
        }
        for (String ns : List.of("a", "b")) {
            core.createNamespacedPod(ns, LoopbackKubeServerTest.pod(ns, "p", Map.of("app", "x"), null, "Running")).execute();
            core.createNamespacedConfigMap(ns, new V1ConfigMap().metadata(new V1ObjectMeta().name("x")).data(Map.of("k", "secret-ish"))).execute();
            core.createNamespacedConfigMap(ns, new V1ConfigMap().metadata(new V1ObjectMeta().name("y"))).execute();
            new AppsV1Api(admin).createNamespacedDeployment(ns, GapFillTest.deployment("web", 1).metadata(
                    new V1ObjectMeta().name("web").namespace(ns))).execute();
        }
    }

    private void grantCluster(String rules) {
        server.loadRbac("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: bot}
                rules:
                """ + rules + """
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: bot}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: bot}
                subjects: [{kind: ServiceAccount, name: bot, namespace: ops}]
                """);
    }

    private static int code(ThrowingCall call) {
        try {
            call.run();
            return 200;
        } catch (ApiException e) {
            return e.getCode();
        }
    }

    interface ThrowingCall {
        void run() throws ApiException;
    }

    private Response raw(String path, String token) throws Exception {
        Request.Builder r = new Request.Builder().url(server.baseUrl() + path);
        if (token != null) r.header("Authorization", "Bearer " + token);
        return http.newCall(r.build()).execute();
    }

    @Test
    void offByDefaultEveryoneMayDoAnything() {
        assertFalse(server.rbacEnforced());
        assertEquals(200, code(() -> new CoreV1Api(bot).deleteNamespacedPod("p", "a").execute()));
        assertTrue(server.rbacDecisions().isEmpty());
    }

    @Test
    void denialIsTheRealServersForbiddenStatus() throws Exception {
        server.enforceRbac();
        ApiException e = assertThrows(ApiException.class, () -> new CoreV1Api(bot).readNamespacedPod("p", "a").execute());
        assertEquals(403, e.getCode());
        JsonNode st = JSON.readTree(e.getResponseBody());
        assertEquals("Status", st.path("kind").asText());
        assertEquals("v1", st.path("apiVersion").asText());
        assertEquals("Failure", st.path("status").asText());
        assertEquals("Forbidden", st.path("reason").asText());
        assertEquals(403, st.path("code").asInt());
        assertEquals("pods \"p\" is forbidden: User \"" + SA + "\" cannot get resource \"pods\" in API group \"\" in the namespace \"a\"",
                st.path("message").asText());
        assertEquals("p", st.at("/details/name").asText());
        assertEquals("pods", st.at("/details/kind").asText());
        assertFalse(st.path("details").has("group"), "the core group is omitted, as Go omits empty fields");

        ApiException list = assertThrows(ApiException.class, () -> new AppsV1Api(bot).listDeploymentForAllNamespaces().execute());
        assertEquals("deployments.apps is forbidden: User \"" + SA + "\" cannot list resource \"deployments\" in API group \"apps\" "
                + "at the cluster scope", JSON.readTree(list.getResponseBody()).path("message").asText());
        assertEquals("apps", JSON.readTree(list.getResponseBody()).at("/details/group").asText());

        assertEquals(List.of(new RbacDecision(SA, "get", "", "pods", null, "a", "p", "/api/v1/namespaces/a/pods/p", false, null)),
                server.rbacDenials().subList(0, 1));
    }

    @Test
    void verbsAreCheckedOneByOne() {
        server.enforceRbac();
        grantCluster("  - {apiGroups: [\"\"], resources: [pods], verbs: [get]}\n");
        CoreV1Api core = new CoreV1Api(bot);
        assertEquals(200, code(() -> core.readNamespacedPod("p", "a").execute()));
        assertEquals(403, code(() -> core.listNamespacedPod("a").execute()));
        assertEquals(403, code(() -> core.deleteNamespacedPod("p", "a").execute()));
        assertEquals(403, code(() -> core.deleteCollectionNamespacedPod("a").execute()));
        assertEquals(List.of("list", "delete", "deletecollection"), server.rbacDenials().stream().map(RbacDecision::verb).toList());
        RbacDecision allowed = server.rbacDecisions().get(0);
        assertTrue(allowed.allowed());
        assertEquals("ClusterRole/bot#0 via ClusterRoleBinding/bot", allowed.grantedBy());
    }

    @Test
    void aWatchIsItsOwnVerb() throws Exception {
        server.enforceRbac();
        grantCluster("  - {apiGroups: [\"\"], resources: [pods], verbs: [list]}\n");
        String token = server.serviceAccountToken("ops", "bot");
        try (Response r = raw("/api/v1/namespaces/a/pods", token)) {
            assertEquals(200, r.code());
        }
        try (Response r = raw("/api/v1/namespaces/a/pods?watch=true&timeoutSeconds=1", token)) {
            assertEquals(403, r.code());
            assertTrue(r.body().string().contains("cannot watch resource \\\"pods\\\""));
        }
        grantCluster("  - {apiGroups: [\"\"], resources: [pods], verbs: [list, watch]}\n");
        try (Response r = raw("/api/v1/namespaces/a/pods?watch=true&timeoutSeconds=1", token)) {
            assertEquals(200, r.code());
        }
    }

    @Test
    void subresourcesNeedTheirOwnRule() throws Exception {
        server.enforceRbac();
        server.expectPodLog("a", "p", null, false, "hello\n");
        grantCluster("""
                  - {apiGroups: [""], resources: [pods], verbs: [get]}
                  - {apiGroups: [apps], resources: [deployments], verbs: [get, patch]}
                """);
        CoreV1Api core = new CoreV1Api(bot);
        AppsV1Api apps = new AppsV1Api(bot);
        assertEquals(403, code(() -> core.readNamespacedPodLog("p", "a").execute()));
        assertEquals(403, code(() -> apps.readNamespacedDeploymentScale("web", "a").execute()));
        assertEquals(403, code(() -> apps.replaceNamespacedDeploymentScale("web", "a", new V1Scale()
                .metadata(new V1ObjectMeta().name("web").namespace("a")).spec(new io.kubernetes.client.openapi.models.V1ScaleSpec().replicas(2))).execute()));
        assertTrue(server.rbacDenials().stream().anyMatch(d -> d.combinedResource().equals("deployments/scale") && d.verb().equals("update")));

        grantCluster("""
                  - {apiGroups: [""], resources: [pods, pods/log], verbs: [get]}
                  - {apiGroups: [apps], resources: ["*/scale"], verbs: [get]}
                """);
        assertEquals("hello\n", core.readNamespacedPodLog("p", "a").execute());
        assertEquals(1, apps.readNamespacedDeploymentScale("web", "a").execute().getSpec().getReplicas());
        // "*/scale" is any resource's scale subresource, not the resources themselves.
        assertEquals(403, code(() -> apps.readNamespacedDeployment("web", "a").execute()));
    }

    @Test
    void theApiGroupMustMatch() {
        server.enforceRbac();
        grantCluster("  - {apiGroups: [\"\"], resources: [deployments], verbs: [get]}\n");
        assertEquals(403, code(() -> new AppsV1Api(bot).readNamespacedDeployment("web", "a").execute()));
        grantCluster("  - {apiGroups: [apps], resources: [deployments], verbs: [get]}\n");
        assertEquals(200, code(() -> new AppsV1Api(bot).readNamespacedDeployment("web", "a").execute()));
    }

    @Test
    void aRoleBindingGrantsInItsNamespaceOnly() throws ApiException {
        server.enforceRbac();
        RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(admin);
        // Created through the API, as kubectl apply would.
        rbac.createNamespacedRole("a", new V1Role().metadata(new V1ObjectMeta().name("reader"))
                .addRulesItem(new V1PolicyRule().apiGroups(List.of("")).resources(List.of("pods")).verbs(List.of("get", "list")))).execute();
        rbac.createNamespacedRoleBinding("a", new V1RoleBinding().metadata(new V1ObjectMeta().name("reader"))
                .roleRef(new V1RoleRef().apiGroup("rbac.authorization.k8s.io").kind("Role").name("reader"))
                .addSubjectsItem(new RbacV1Subject().kind("ServiceAccount").name("bot").namespace("ops"))).execute();
        CoreV1Api core = new CoreV1Api(bot);
        assertEquals(200, code(() -> core.readNamespacedPod("p", "a").execute()));
        assertEquals(200, code(() -> core.listNamespacedPod("a").execute()));
        assertEquals(403, code(() -> core.readNamespacedPod("p", "b").execute()));
        assertEquals(403, code(() -> core.listPodForAllNamespaces().execute()), "a namespaced grant is not a cluster-wide list");

        // A ClusterRole bound by a RoleBinding also grants in that namespace only.
        server.loadRbac("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: cm-reader}
                rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: cm-reader, namespace: b}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cm-reader}
                subjects: [{kind: ServiceAccount, name: bot, namespace: ops}]
                """);
        assertEquals(200, code(() -> core.readNamespacedConfigMap("x", "b").execute()));
        assertEquals(403, code(() -> core.readNamespacedConfigMap("x", "a").execute()));

        // Taking the binding away takes the permission away.
        rbac.deleteNamespacedRoleBinding("reader", "a").execute();
        assertEquals(403, code(() -> core.readNamespacedPod("p", "a").execute()));
    }

    @Test
    void resourceNamesLimitARuleToNamedObjects() throws Exception {
        server.enforceRbac();
        grantCluster("  - {apiGroups: [\"\"], resources: [configmaps], resourceNames: [x], verbs: [get, list]}\n");
        CoreV1Api core = new CoreV1Api(bot);
        assertEquals(200, code(() -> core.readNamespacedConfigMap("x", "a").execute()));
        assertEquals(403, code(() -> core.readNamespacedConfigMap("y", "a").execute()));
        assertEquals(403, code(() -> core.listNamespacedConfigMap("a").execute()));
        // A list narrowed to the name by field selector is authorized for that name, as on a real server.
        assertEquals(200, code(() -> core.listNamespacedConfigMap("a").fieldSelector("metadata.name=x").execute()));
        assertEquals(403, code(() -> core.createNamespacedConfigMap("a", new V1ConfigMap().metadata(new V1ObjectMeta().name("x2"))).execute()));
    }

    @Test
    void wildcardsAndAdditiveRules() {
        server.enforceRbac();
        grantCluster("""
                  - {apiGroups: ["*"], resources: ["*"], verbs: [get]}
                  - {apiGroups: [""], resources: [configmaps], verbs: ["*"]}
                """);
        assertEquals(200, code(() -> new AppsV1Api(bot).readNamespacedDeployment("web", "b").execute()));
        assertEquals(200, code(() -> new CoreV1Api(bot).readNamespacedPod("p", "a").execute()));
        assertEquals(403, code(() -> new CoreV1Api(bot).deleteNamespacedPod("p", "a").execute()));
        assertEquals(200, code(() -> new CoreV1Api(bot).deleteNamespacedConfigMap("y", "a").execute()),
                "the second rule adds delete for configmaps");
    }

    @Test
    void discoveryIsForEveryAuthenticatedUserOnlyOtherPathsNeedARule() throws Exception {
        server.enforceRbac();
        String token = server.serviceAccountToken("ops", "bot");
        for (String path : List.of("/version", "/api", "/api/v1", "/apis", "/apis/apps/v1")) {
            try (Response r = raw(path, token)) {
                assertEquals(200, r.code(), path);
            }
        }
        try (Response r = raw("/version", null)) {
            assertEquals(403, r.code(), "anonymous");
            assertEquals("forbidden: User \"system:anonymous\" cannot get path \"/version\"",
                    JSON.readTree(r.body().string()).path("message").asText());
        }
        try (Response r = raw("/metrics", token)) {
            assertEquals(403, r.code());
        }
        grantCluster("  - {nonResourceURLs: [\"/metr*\"], verbs: [get]}\n");
        try (Response r = raw("/metrics", token)) {
            assertEquals(404, r.code(), "allowed, and then not served");
        }
        try (Response r = raw("/api/v1/namespaces/a/pods", "no-such-token")) {
            assertEquals(401, r.code());
            assertEquals("Unauthorized", JSON.readTree(r.body().string()).path("reason").asText());
        }
    }

    @Test
    void theAdministratorsClientIsNeverChecked() {
        server.enforceRbac();
        assertEquals(200, code(() -> new CoreV1Api(admin).deleteNamespacedPod("p", "a").execute()));
        assertTrue(server.rbacDecisions().isEmpty());
    }

    @Test
    void groupAndUserSubjects() {
        server.enforceRbac();
        server.loadRbac("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: pods}
                rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: all-sa-of-ops}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pods}
                subjects: [{kind: Group, name: "system:serviceaccounts:ops"}]
                """);
        assertEquals(200, code(() -> new CoreV1Api(server.apiClientAs("ops", "other")).readNamespacedPod("p", "a").execute()));
        assertEquals(403, code(() -> new CoreV1Api(server.apiClientAs("dev", "bot")).readNamespacedPod("p", "a").execute()));
    }

    @Test
    void loadRbacRefusesOtherKindsAndCreatesNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> server.loadRbac("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: fine}
                rules: []
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: nope, namespace: ops}
                """));
        assertTrue(e.getMessage().contains("v1 Secret"), e.getMessage());
        assertEquals(404, code(() -> new RbacAuthorizationV1Api(admin).readClusterRole("fine").execute()));
        assertThrows(IllegalArgumentException.class, () -> server.loadRbac("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: no-namespace}
                """));
    }

    @Test
    void metadataOnlyReadsAnswerNoData() throws Exception {
        String accept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
        Request r = new Request.Builder().url(server.baseUrl() + "/api/v1/namespaces/a/configmaps/x").header("Accept", accept).build();
        try (Response resp = http.newCall(r).execute()) {
            JsonNode o = JSON.readTree(resp.body().string());
            assertEquals("PartialObjectMetadata", o.path("kind").asText());
            assertEquals("meta.k8s.io/v1", o.path("apiVersion").asText());
            assertEquals("x", o.at("/metadata/name").asText());
            assertFalse(o.at("/metadata/uid").asText().isEmpty());
            assertFalse(o.has("data"), o.toString());
        }
        Request list = new Request.Builder().url(server.baseUrl() + "/api/v1/namespaces/a/configmaps")
                .header("Accept", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1").build();
        try (Response resp = http.newCall(list).execute()) {
            JsonNode o = JSON.readTree(resp.body().string());
            assertEquals("PartialObjectMetadataList", o.path("kind").asText());
            assertEquals(2, o.path("items").size());
            assertFalse(o.path("items").get(0).has("data"));
        }
        Request table = new Request.Builder().url(server.baseUrl() + "/api/v1/namespaces/a/configmaps/x")
                .header("Accept", "application/json;as=Table;g=meta.k8s.io;v=v1").build();
        try (Response resp = http.newCall(table).execute()) {
            assertEquals(406, resp.code());
        }
        Request missing = new Request.Builder().url(server.baseUrl() + "/api/v1/namespaces/a/configmaps/zz").header("Accept", accept).build();
        try (Response resp = http.newCall(missing).execute()) {
            assertEquals(404, resp.code());
            assertEquals("Status", JSON.readTree(resp.body().string()).path("kind").asText());
        }
    }

    @Test
    void decisionsAreRecordedOnceEach() {
        server.enforceRbac();
        grantCluster("  - {apiGroups: [\"\"], resources: [pods], verbs: [get]}\n");
        for (int i = 0; i < 3; i++) code(() -> new CoreV1Api(bot).readNamespacedPod("p", "a").execute());
        assertEquals(1, server.rbacDecisions().size());
        server.clearRbacDecisions();
        assertTrue(server.rbacDecisions().isEmpty());
        assertNull(RbacAuthorizer.attributes("GET", "/version").resource());
    }
}

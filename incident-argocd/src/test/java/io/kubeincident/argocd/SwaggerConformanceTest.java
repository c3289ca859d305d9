package io.kubeincident.argocd;

import io.kubeincident.argocd.client.AppQuery;
import io.kubeincident.argocd.client.ArgoCdClient;
import io.kubeincident.argocd.client.SyncRequest;
import io.kubeincident.argocd.model.SyncResource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.kubeincident.argocd.ArgoStub.app;
import static io.kubeincident.argocd.ArgoStub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every path, method, query parameter and body field the client sends exists in
 * {@code ../../shared/specs/argocd-swagger.json}, and the stubs' answers follow it too.
 */
class SwaggerConformanceTest {

    @Test
    void everyRequestTheClientSendsAndEveryStubAnswerFollowTheSwagger() {
        SwaggerSpec spec = SwaggerSpec.load();
        try (ArgoStub stub = new ArgoStub()) {
            ArgoStub.App full = app("web").autoSync(true).sync("OutOfSync", "abc123")
                    .health("Degraded", "Deployment web: back-off restarting failed container", "2024-05-01T10:03:00Z")
                    .history(1, "0ld0ld", "2024-04-30T10:00:00Z", "alice")
                    .history(2, "abc123", "2024-05-01T10:00:00Z", null)
                    .resource("Deployment", "default", "web", "Synced", "Degraded")
                    .operation("Succeeded", "abc123", "successfully synced", "2024-05-01T10:00:00Z", "2024-05-01T10:00:05Z")
                    .label("team", "payments");
            stub.server.stubFor(post(urlPathEqualTo("/api/v1/session")).willReturn(json(200, "{\"token\":\"jwt\"}")));
            stub.server.stubFor(get(urlPathEqualTo("/api/v1/applications")).willReturn(json(200, ArgoStub.list(full))));
            stub.server.stubFor(get(urlPathEqualTo("/api/v1/applications/web")).willReturn(json(200, full)));
            stub.server.stubFor(get(urlPathEqualTo("/api/v1/applications/web/resource-tree")).willReturn(json(200, """
                    {"nodes":[{"group":"apps","version":"v1","kind":"Deployment","namespace":"default","name":"web",
                      "uid":"u1","health":{"status":"Degraded","message":"crash"},"images":["web:2"],
                      "resourceVersion":"5","createdAt":"2024-05-01T10:00:00Z","parentRefs":[]},
                     {"version":"v1","kind":"Pod","namespace":"default","name":"web-1","uid":"u3",
                      "parentRefs":[{"group":"apps","kind":"ReplicaSet","namespace":"default","name":"web-7d","uid":"u2"}],
                      "info":[{"name":"Status Reason","value":"CrashLoopBackOff"}]}],
                     "orphanedNodes":[]}""")));
            stub.server.stubFor(post(urlPathEqualTo("/api/v1/applications/web/sync")).willReturn(json(200, full)));
            stub.server.stubFor(post(urlPathEqualTo("/api/v1/applications/web/rollback")).willReturn(json(200, full)));
            stub.server.stubFor(patch(urlPathEqualTo("/api/v1/applications/web")).willReturn(json(200, full)));
            stub.server.stubFor(delete(urlPathEqualTo("/api/v1/applications/web/operation")).willReturn(json(200, "{}")));
            stub.server.stubFor(any(urlPathMatching("/api/v1/applications/missing.*"))
                    .willReturn(json(404, ArgoStub.error(5, "applications.argoproj.io \"missing\" not found"))));

            ArgoCdClient session = new ArgoCdClient(stub.argoConfig(Map.of("argocd.token", "",
                    "argocd.username", "admin", "argocd.password", "pw")), d -> { });
            AppRef web = AppRef.of("web");
            AppRef webNs = new AppRef("web", "team-a");
            assertTrue(session.getApplication(web).isOk());
            assertTrue(session.getApplication(webNs).isOk());
            assertTrue(session.listApplications(AppQuery.all()).isOk());
            assertTrue(session.listApplications(new AppQuery("team=payments", List.of("default", "prod"), "team-a")).isOk());
            assertTrue(session.resourceTree(webNs).isOk());
            assertTrue(session.operationState(web).isOk());
            assertTrue(session.sync(web, SyncRequest.defaults()).isOk());
            assertTrue(session.sync(webNs, new SyncRequest("abc123",
                    List.of(new SyncResource("apps", "Deployment", "default", "web"),
                            new SyncResource("", "ConfigMap", "default", "cfg")), true, true)).isOk());
            assertTrue(session.rollback(web, 1, true).isOk());
            assertTrue(session.rollback(webNs, 1, false).isOk());
            var off = session.json().createObjectNode();
            off.putObject("spec").putObject("syncPolicy").putNull("automated");
            assertTrue(session.patchApplication(webNs, off).isOk());
            assertTrue(session.terminateOperation(webNs).isOk());
            assertFalse(session.getApplication(AppRef.of("missing")).isOk());
            assertFalse(session.sync(AppRef.of("missing"), SyncRequest.defaults()).isOk());

            // The calls this project makes, as the swagger names them: proves the check above saw them all.
            Set<String> seen = new TreeSet<>();
            stub.server.getAllServeEvents().forEach(e -> seen.add(e.getRequest().getMethod().getName() + " "
                    + e.getRequest().getUrl().replaceAll("\\?.*", "")));
            assertTrue(seen.containsAll(Set.of("POST /api/v1/session", "GET /api/v1/applications",
                    "GET /api/v1/applications/web", "GET /api/v1/applications/web/resource-tree",
                    "POST /api/v1/applications/web/sync", "POST /api/v1/applications/web/rollback",
                    "PATCH /api/v1/applications/web", "DELETE /api/v1/applications/web/operation")), seen.toString());

            List<String> problems = stub.specProblems(spec);
            assertEquals(List.of(), problems, "requests or answers outside argocd-swagger.json");
        }
    }

    @Test
    void theCheckerCatchesFieldsMethodsAndParametersTheSwaggerLacks() {
        SwaggerSpec spec = SwaggerSpec.load();
        assertFalse(spec.checkRequest("POST", "/api/v1/applications/web/sync", Map.of(),
                "{\"name\":\"web\",\"prune\":false,\"force\":true}").isEmpty(), "unknown body field");
        assertFalse(spec.checkRequest("POST", "/api/v1/applications/web/sync", Map.of(),
                "{\"resources\":[{\"kind\":\"Deployment\",\"name\":\"web\",\"apiVersion\":\"apps/v1\"}]}").isEmpty(),
                "unknown nested field");
        assertFalse(spec.checkRequest("PUT", "/api/v1/applications/web/rollback", Map.of(), null).isEmpty(), "unknown method");
        assertFalse(spec.checkRequest("GET", "/api/v1/applications", Map.of("labelSelector", List.of("a=b")), null).isEmpty(),
                "unknown query parameter");
        assertFalse(spec.checkRequest("POST", "/api/v1/applications/web/rollback", Map.of(), "{\"id\":\"x\"}").isEmpty(),
                "wrong type");
        assertFalse(spec.checkResponse("GET", "/api/v1/applications/web", 200,
                "{\"status\":{\"helth\":{}}}").isEmpty(), "misspelt answer field");
        assertTrue(spec.checkResponse("GET", "/api/v1/applications/web", 400,
                ArgoStub.error(9, "x").toString()).isEmpty(), "runtimeError body");
    }
}

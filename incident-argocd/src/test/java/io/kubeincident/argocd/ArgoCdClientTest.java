package io.kubeincident.argocd;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.kubeincident.argocd.client.AppQuery;
import io.kubeincident.argocd.client.ArgoCdClient;
import io.kubeincident.argocd.client.ArgoError;
import io.kubeincident.argocd.client.ArgoResult;
import io.kubeincident.argocd.client.SyncRequest;
import io.kubeincident.argocd.model.Application;
import io.kubeincident.argocd.model.ApplicationTree;
import io.kubeincident.argocd.model.SyncResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.kubeincident.argocd.ArgoStub.app;
import static io.kubeincident.argocd.ArgoStub.error;
import static io.kubeincident.argocd.ArgoStub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgoCdClientTest {
    private ArgoStub stub;
    private final List<Duration> slept = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        stub = new ArgoStub();
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    private ArgoCdClient client(Map<String, String> overrides) {
        return new ArgoCdClient(stub.argoConfig(overrides), slept::add);
    }

    private ArgoCdClient client() {
        return client(Map.of());
    }

    private static final String APP = "/api/v1/applications/web";

    // ---- happy paths ----

    @Test
    void getsAnApplicationWithBearerToken() {
        stub.server.stubFor(get(urlEqualTo(APP)).withHeader("Authorization", equalTo("Bearer " + ArgoStub.TOKEN))
                .willReturn(json(200, app("web").sync("Synced", "abc123").history(1, "abc123", "2024-05-01T10:00:00Z", "alice"))));
        ArgoResult<Application> r = client().getApplication(AppRef.of("web"));
        assertTrue(r.isOk(), () -> r.error().describe());
        assertEquals("web", r.value().name());
        assertEquals("Healthy", r.value().health());
        assertEquals("abc123", r.value().syncedRevision());
        assertEquals("alice", r.value().status().history().get(0).initiator());
        stub.server.verify(getRequestedFor(urlEqualTo(APP)).withHeader("Content-Type", absent()));
    }

    @Test
    void listsWithSelectorProjectsAndAppNamespace() {
        stub.server.stubFor(get(urlPathEqualTo("/api/v1/applications"))
                .willReturn(json(200, ArgoStub.list(app("web"), app("api")))));
        ArgoResult<List<Application>> r = client().listApplications(
                new AppQuery("team=payments", List.of("prod", "staging"), "apps"));
        assertTrue(r.isOk());
        assertEquals(2, r.value().size());
        stub.server.verify(getRequestedFor(urlEqualTo(
                "/api/v1/applications?selector=team%3Dpayments&projects=prod&projects=staging&appNamespace=apps")));
    }

    @Test
    void readsTheResourceTree() {
        stub.server.stubFor(get(urlPathEqualTo(APP + "/resource-tree")).willReturn(json(200, """
                {"nodes":[{"group":"apps","version":"v1","kind":"Deployment","namespace":"default","name":"web",
                  "uid":"u1","health":{"status":"Degraded","message":"crash"},"images":["web:2"],
                  "resourceVersion":"5","createdAt":"2024-05-01T10:00:00Z",
                  "parentRefs":[]}],"orphanedNodes":[]}""")));
        ArgoResult<ApplicationTree> r = client().resourceTree(new AppRef("web", "team-a"));
        assertTrue(r.isOk(), () -> r.error().describe());
        assertEquals("Degraded", r.value().nodes().get(0).health().status());
        stub.server.verify(getRequestedFor(urlEqualTo(APP + "/resource-tree?appNamespace=team-a")));
    }

    @Test
    void syncSendsRevisionResourcesAndPruneOffByDefault() {
        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(200, app("web"))));
        ArgoResult<Application> r = client().sync(AppRef.of("web"), new SyncRequest("abc123",
                List.of(new SyncResource("apps", "Deployment", "default", "web")), false, true));
        assertTrue(r.isOk());
        stub.server.verify(postRequestedFor(urlEqualTo(APP + "/sync"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"name":"web","revision":"abc123","prune":false,"dryRun":true,
                         "resources":[{"group":"apps","kind":"Deployment","namespace":"default","name":"web"}]}""")));
    }

    @Test
    void rollbackSendsHistoryIdAndNeverPrunes() {
        stub.server.stubFor(post(urlEqualTo(APP + "/rollback")).willReturn(json(200, app("web"))));
        assertTrue(client().rollback(new AppRef("web", "team-a"), 7, false).isOk());
        stub.server.verify(postRequestedFor(urlEqualTo(APP + "/rollback"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"name":"web","appNamespace":"team-a","id":7,"dryRun":false,"prune":false}""")));
    }

    @Test
    void terminatesTheOperationAndReadsItsState() {
        stub.server.stubFor(delete(urlEqualTo(APP + "/operation")).willReturn(json(200, "{}")));
        stub.server.stubFor(get(urlEqualTo(APP)).willReturn(json(200,
                app("web").operation("Running", "abc", "syncing", "2024-05-01T10:00:00Z", null))));
        assertTrue(client().terminateOperation(AppRef.of("web")).isOk());
        stub.server.verify(deleteRequestedFor(urlEqualTo(APP + "/operation"))
                .withHeader("Content-Type", equalTo("application/json")));
        var state = client().operationState(AppRef.of("web"));
        assertTrue(state.isOk());
        assertEquals("Running", state.value().orElseThrow().phase());
        assertFalse(state.value().orElseThrow().finished());
    }

    @Test
    void patchSendsAMergePatchAsString() {
        stub.server.stubFor(patch(urlEqualTo(APP)).willReturn(json(200, app("web"))));
        var c = client();
        var patch = c.json().createObjectNode();
        patch.putObject("spec").putObject("syncPolicy").putNull("automated");
        assertTrue(c.patchApplication(AppRef.of("web"), patch).isOk());
        stub.server.verify(patchRequestedFor(urlEqualTo(APP)).withRequestBody(equalToJson("""
                {"name":"web","patch":"{\\"spec\\":{\\"syncPolicy\\":{\\"automated\\":null}}}","patchType":"merge"}""")));
    }

    // ---- authentication ----

    @Test
    void sessionLoginThenReLoginOnceOn401() {
        Map<String, String> cfg = Map.of("argocd.token", "", "argocd.username", "admin", "argocd.password", "pw");
        stub.server.stubFor(post(urlEqualTo("/api/v1/session")).inScenario("login")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("second")
                .withRequestBody(equalToJson("{\"username\":\"admin\",\"password\":\"pw\"}"))
                .willReturn(json(200, "{\"token\":\"jwt-1\"}")));
        stub.server.stubFor(post(urlEqualTo("/api/v1/session")).inScenario("login")
                .whenScenarioStateIs("second").willReturn(json(200, "{\"token\":\"jwt-2\"}")));
        stub.server.stubFor(get(urlEqualTo(APP)).withHeader("Authorization", equalTo("Bearer jwt-1"))
                .willReturn(json(401, error(16, "invalid session: token is expired"))));
        stub.server.stubFor(get(urlEqualTo(APP)).withHeader("Authorization", equalTo("Bearer jwt-2"))
                .willReturn(json(200, app("web"))));
        ArgoCdClient c = client(cfg);
        ArgoResult<Application> r = c.getApplication(AppRef.of("web"));
        assertTrue(r.isOk(), () -> r.error().describe());
        stub.server.verify(2, postRequestedFor(urlEqualTo("/api/v1/session")));
        stub.server.verify(2, getRequestedFor(urlEqualTo(APP)));
        // the new token is kept: no third login
        assertTrue(c.getApplication(AppRef.of("web")).isOk());
        stub.server.verify(2, postRequestedFor(urlEqualTo("/api/v1/session")));
    }

    @Test
    void reLoginHappensOnlyOnce() {
        Map<String, String> cfg = Map.of("argocd.token", "", "argocd.username", "admin", "argocd.password", "pw");
        stub.server.stubFor(post(urlEqualTo("/api/v1/session")).willReturn(json(200, "{\"token\":\"jwt\"}")));
        stub.server.stubFor(get(urlEqualTo(APP)).willReturn(json(401, error(16, "invalid session"))));
        ArgoResult<Application> r = client(cfg).getApplication(AppRef.of("web"));
        assertEquals(ArgoError.Kind.UNAUTHENTICATED, r.error().kind());
        assertFalse(r.error().retryable());
        stub.server.verify(2, postRequestedFor(urlEqualTo("/api/v1/session")));
        stub.server.verify(2, getRequestedFor(urlEqualTo(APP)));
    }

    @Test
    void badPasswordIsAClearError() {
        Map<String, String> cfg = Map.of("argocd.token", "", "argocd.username", "admin", "argocd.password", "wrong");
        stub.server.stubFor(post(urlEqualTo("/api/v1/session"))
                .willReturn(json(401, error(16, "Invalid username or password"))));
        ArgoResult<Application> r = client(cfg).getApplication(AppRef.of("web"));
        assertEquals(ArgoError.Kind.UNAUTHENTICATED, r.error().kind());
        assertTrue(r.error().message().contains("login as 'admin' failed: Invalid username or password"), r.error().message());
        stub.server.verify(0, getRequestedFor(urlEqualTo(APP)));
    }

    @Test
    void staticTokenRejectedIsNotRetried() {
        stub.server.stubFor(get(urlEqualTo(APP)).willReturn(json(401, error(16, "token is expired"))));
        ArgoResult<Application> r = client().getApplication(AppRef.of("web"));
        assertEquals(ArgoError.Kind.UNAUTHENTICATED, r.error().kind());
        assertTrue(r.error().message().contains("token was rejected"), r.error().message());
        stub.server.verify(1, getRequestedFor(urlEqualTo(APP)));
        stub.server.verify(0, postRequestedFor(urlEqualTo("/api/v1/session")));
    }

    // ---- grpc-gateway errors ----

    @Test
    void anotherOperationInProgress() {
        stub.server.stubFor(post(urlEqualTo(APP + "/sync"))
                .willReturn(json(400, error(9, "another operation is already in progress"))));
        ArgoResult<Application> r = client().sync(AppRef.of("web"), SyncRequest.defaults());
        assertEquals(ArgoError.Kind.OPERATION_IN_PROGRESS, r.error().kind());
        assertEquals(400, r.error().httpStatus());
        assertEquals(9, r.error().grpcCode());
        assertTrue(r.error().retryable());
        stub.server.verify(1, postRequestedFor(urlEqualTo(APP + "/sync")));
    }

    @Test
    void rollbackRefusedWhileAutoSyncIsEnabled() {
        stub.server.stubFor(post(urlEqualTo(APP + "/rollback"))
                .willReturn(json(400, error(9, "rollback cannot be initiated when auto-sync is enabled"))));
        ArgoResult<Application> r = client().rollback(AppRef.of("web"), 3, false);
        assertEquals(ArgoError.Kind.AUTO_SYNC_ENABLED, r.error().kind());
        assertEquals("rollback cannot be initiated when auto-sync is enabled", r.error().message());
        assertFalse(r.error().retryable());
    }

    @Test
    void otherFailedPreconditionAndBadRequest() {
        stub.server.stubFor(post(urlEqualTo(APP + "/sync"))
                .willReturn(json(400, error(9, "Cannot sync to abc: auto-sync currently set to HEAD"))));
        assertEquals(ArgoError.Kind.FAILED_PRECONDITION,
                client().sync(AppRef.of("web"), SyncRequest.defaults()).error().kind());
        stub.server.stubFor(post(urlEqualTo(APP + "/rollback")).willReturn(json(400, error(3, "application history id 99 not found"))));
        ArgoError e = client().rollback(AppRef.of("web"), 99, false).error();
        assertEquals(ArgoError.Kind.BAD_REQUEST, e.kind());
        assertTrue(e.describe().contains("HTTP 400 (code 3): application history id 99 not found"), e.describe());
    }

    @Test
    void permissionDeniedAndSyncWindow() {
        stub.server.stubFor(get(urlEqualTo(APP)).willReturn(json(403, error(7, "permission denied: applications, get, default/web"))));
        ArgoError denied = client().getApplication(AppRef.of("web")).error();
        assertEquals(ArgoError.Kind.PERMISSION_DENIED, denied.kind());
        assertFalse(denied.retryable());

        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(403, error(7, "cannot sync: blocked by sync window"))));
        ArgoError window = client().sync(AppRef.of("web"), SyncRequest.defaults()).error();
        assertEquals(ArgoError.Kind.SYNC_WINDOW_BLOCKED, window.kind());
        assertTrue(window.retryable());
        stub.server.verify(1, postRequestedFor(urlEqualTo(APP + "/sync")));
    }

    @Test
    void notFound() {
        stub.server.stubFor(get(urlEqualTo("/api/v1/applications/gone"))
                .willReturn(json(404, error(5, "applications.argoproj.io \"gone\" not found"))));
        ArgoError e = client().getApplication(AppRef.of("gone")).error();
        assertEquals(ArgoError.Kind.NOT_FOUND, e.kind());
        assertEquals(5, e.grpcCode());
        stub.server.verify(1, getRequestedFor(urlEqualTo("/api/v1/applications/gone")));
    }

    @Test
    void conflictIsRetryableButNotRetriedForWrites() {
        stub.server.stubFor(patch(urlEqualTo(APP)).willReturn(json(409, error(10,
                "Operation cannot be fulfilled on applications.argoproj.io \"web\": the object has been modified"))));
        var c = client();
        ArgoError e = c.patchApplication(AppRef.of("web"), c.json().createObjectNode()).error();
        assertEquals(ArgoError.Kind.CONFLICT, e.kind());
        assertTrue(e.retryable());
        stub.server.verify(1, patchRequestedFor(urlEqualTo(APP)));
    }

    @Test
    void unsupportedMediaTypeWithPlainTextBody() {
        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(aResponse().withStatus(415)
                .withHeader("Content-Type", "text/plain; charset=utf-8").withBody("Invalid content type\n")));
        ArgoError e = client().sync(AppRef.of("web"), SyncRequest.defaults()).error();
        assertEquals(ArgoError.Kind.UNSUPPORTED_MEDIA_TYPE, e.kind());
        assertEquals("Invalid content type", e.message());
    }

    @Test
    void rateLimitedIsRetriedHonouringRetryAfter() {
        stub.server.stubFor(get(urlEqualTo(APP)).inScenario("rl").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("ok").willReturn(json(429, error(8, "too many requests")).withHeader("Retry-After", "2")));
        stub.server.stubFor(get(urlEqualTo(APP)).inScenario("rl").whenScenarioStateIs("ok")
                .willReturn(json(200, app("web"))));
        assertTrue(client().getApplication(AppRef.of("web")).isOk());
        assertEquals(List.of(Duration.ofSeconds(2)), slept);
    }

    @Test
    void rateLimitedGivesUpAfterTheBoundedRetries() {
        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(429, error(8, "too many requests"))));
        ArgoError e = client().sync(AppRef.of("web"), SyncRequest.defaults()).error();
        assertEquals(ArgoError.Kind.RATE_LIMITED, e.kind());
        stub.server.verify(3, postRequestedFor(urlEqualTo(APP + "/sync")));
        assertEquals(List.of(Duration.ofMillis(10), Duration.ofMillis(20)), slept);
    }

    @Test
    void serverErrorsAreRetriedForReadsOnly() {
        stub.server.stubFor(get(urlEqualTo(APP)).inScenario("5xx").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("ok").willReturn(json(502, error(14, "upstream connect error"))));
        stub.server.stubFor(get(urlEqualTo(APP)).inScenario("5xx").whenScenarioStateIs("ok")
                .willReturn(json(200, app("web"))));
        assertTrue(client().getApplication(AppRef.of("web")).isOk());
        stub.server.verify(2, getRequestedFor(urlEqualTo(APP)));

        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(500, error(13, "internal error"))));
        ArgoError e = client().sync(AppRef.of("web"), SyncRequest.defaults()).error();
        assertEquals(ArgoError.Kind.SERVER_ERROR, e.kind());
        stub.server.verify(1, postRequestedFor(urlEqualTo(APP + "/sync")));

        // 503 means the server did not act: even a sync may be repeated
        stub.server.stubFor(post(urlEqualTo(APP + "/rollback")).willReturn(json(503, error(14, "unavailable"))));
        assertEquals(ArgoError.Kind.SERVER_ERROR, client().rollback(AppRef.of("web"), 1, false).error().kind());
        stub.server.verify(3, postRequestedFor(urlEqualTo(APP + "/rollback")));
    }

    @Test
    void timeoutsAreRetriedForReadsAndReported() {
        stub.server.stubFor(get(urlEqualTo(APP)).willReturn(json(200, app("web")).withFixedDelay(1500)));
        ArgoError e = client(Map.of("argocd.read_timeout", "200ms", "argocd.max_retries", "1"))
                .getApplication(AppRef.of("web")).error();
        assertEquals(ArgoError.Kind.TIMEOUT, e.kind());
        assertTrue(e.retryable());
        stub.server.verify(2, getRequestedFor(urlEqualTo(APP)));

        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(200, app("web")).withFixedDelay(1500)));
        ArgoError s = client(Map.of("argocd.read_timeout", "200ms")).sync(AppRef.of("web"), SyncRequest.defaults()).error();
        assertEquals(ArgoError.Kind.TIMEOUT, s.kind());
        // the sync may have been applied: never sent twice
        stub.server.verify(1, postRequestedFor(urlEqualTo(APP + "/sync")));
    }

    @Test
    void connectionRefusedIsAConnectionError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ArgoCdClient c = client(Map.of("argocd.server_url", "http://127.0.0.1:" + port, "argocd.max_retries", "1"));
        ArgoError e = c.sync(AppRef.of("web"), SyncRequest.defaults()).error();
        assertEquals(ArgoError.Kind.CONNECTION, e.kind());
        assertTrue(e.message().contains("cannot connect"), e.message());
        assertEquals(1, slept.size(), "a refused connection never reached the server: one retry");
    }

    @Test
    void unreadableAnswerIsInvalidResponse() {
        stub.server.stubFor(get(urlEqualTo(APP)).willReturn(aResponse().withStatus(200).withBody("<html>proxy</html>")));
        assertEquals(ArgoError.Kind.INVALID_RESPONSE, client().getApplication(AppRef.of("web")).error().kind());
        stub.server.stubFor(post(urlEqualTo("/api/v1/session")).willReturn(json(200, "{}")));
        ArgoResult<Application> r = client(Map.of("argocd.token", "", "argocd.username", "a", "argocd.password", "b"))
                .getApplication(AppRef.of("web"));
        assertEquals(ArgoError.Kind.INVALID_RESPONSE, r.error().kind());
        assertTrue(r.error().message().contains("without a token"));
    }

    @Test
    void proxyErrorPageKeepsItsText() {
        stub.server.stubFor(get(urlEqualTo(APP)).willReturn(aResponse().withStatus(504).withBody("Gateway Timeout")));
        ArgoError e = client(Map.of("argocd.max_retries", "0")).getApplication(AppRef.of("web")).error();
        assertEquals(ArgoError.Kind.SERVER_ERROR, e.kind());
        assertEquals("Gateway Timeout", e.message());
        assertEquals(-1, e.grpcCode());
    }
}

package io.kubeincident.argocd;

import io.kubeincident.testkit.MutableClock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.argocd.client.ArgoCdClient;
import io.kubeincident.spi.Reversible;
import io.kubeincident.spi.SupportsDryRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.kubeincident.argocd.ArgoStub.app;
import static io.kubeincident.argocd.ArgoStub.error;
import static io.kubeincident.argocd.ArgoStub.json;
import static io.kubeincident.argocd.FakeCluster.deployment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgoActionsTest {
    private static final String APP = "/api/v1/applications/web";
    private static final ResourceRef WEB = ResourceRef.of("Deployment", "default", "web");

    private ArgoStub stub;
    private ArgoCd argo;
    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:10:00Z"));
    private final List<Duration> slept = new CopyOnWriteArrayList<>();
    private TestActionContext ctx;

    @BeforeEach
    void start() {
        stub = new ArgoStub();
        use(Map.of());
        FakeCluster cluster = new FakeCluster()
                .add(deployment("default", "web", Map.of("app.kubernetes.io/instance", "web"), null))
                .add(deployment("default", "plain", null, null));
        ctx = new TestActionContext(cluster, clock, WEB);
    }

    private void use(Map<String, String> overrides) {
        if (argo != null) argo.close();
        Map<String, String> m = new HashMap<>(Map.of("argocd.wait_timeout", "1s", "argocd.poll_interval", "100ms"));
        m.putAll(overrides);
        ArgoCdConfig cfg = stub.argoConfig(m);
        argo = new ArgoCd(cfg, new ArgoCdClient(cfg, slept::add), clock);
    }

    @AfterEach
    void stop() {
        argo.close();
        stub.close();
    }

    private ArgoSyncAction sync() {
        return new ArgoSyncAction(argo, slept::add);
    }

    private ArgoRollbackAction rollback() {
        return new ArgoRollbackAction(argo, slept::add);
    }

    private static ActionRequest request(String type, Map<String, Object> params, boolean dryRun) {
        return new ActionRequest("inc-1", type, WEB, params, 0.9, dryRun);
    }

    /** GET of the app answers these bodies in turn, the last one from then on. */
    private void appSequence(Object... bodies) {
        for (int i = 0; i < bodies.length; i++) {
            var m = get(urlEqualTo(APP)).inScenario("app")
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "s" + i);
            if (i < bodies.length - 1) m = m.willSetStateTo("s" + (i + 1));
            stub.server.stubFor(m.willReturn(json(200, bodies[i])));
        }
    }

    private static ArgoStub.App deployedTwice() {
        return app("web").sync("Synced", "bad222")
                .health("Degraded", "back-off restarting failed container", "2024-05-01T10:03:00Z")
                .history(1, "good111", "2024-05-01T09:00:00Z", "alice")
                .history(2, "bad222", "2024-05-01T10:00:00Z", "bob");
    }

    // ---- argocd-sync ----

    @Test
    void syncWaitsForTheOperationAndHealthy() {
        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(200, app("web"))));
        appSequence(app("web").sync("OutOfSync", "old000"),
                app("web").sync("OutOfSync", "old000").operation("Running", "new111", null, "2024-05-01T10:10:00Z", null),
                app("web").sync("Synced", "new111").health("Progressing", null, null)
                        .operation("Succeeded", "new111", "successfully synced", "2024-05-01T10:10:00Z", "2024-05-01T10:10:05Z"),
                app("web").sync("Synced", "new111")
                        .operation("Succeeded", "new111", "successfully synced", "2024-05-01T10:10:00Z", "2024-05-01T10:10:05Z"));
        ActionResult r = sync().execute(request("argocd-sync", Map.of(), false), ctx);
        ActionResult.Applied a = assertInstanceOf(ActionResult.Applied.class, r, r.message());
        assertTrue(a.message().contains("is Healthy at revision new111"), a.message());
        assertEquals("old000", a.undoState().get("fromRevision"));
        assertEquals("web", a.undoState().get("app"));
        stub.server.verify(postRequestedFor(urlEqualTo(APP + "/sync"))
                .withRequestBody(equalToJson("{\"name\":\"web\",\"prune\":false,\"dryRun\":false}")));
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(100)), slept, "polled, bounded, no real sleep");
        assertEquals(1, ctx.events.size());
        assertTrue(ctx.events.get(0).contains("ArgoCDSync"), ctx.events.toString());
    }

    @Test
    void syncOnlyTheTargetToARevisionWithPrune() {
        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(200, app("web"))));
        appSequence(app("web").sync("Synced", "old"),
                app("web").sync("Synced", "abc").operation("Succeeded", "abc", "ok", "2024-05-01T10:10:00Z", "2024-05-01T10:10:01Z"));
        ActionResult r = sync().execute(request("argocd-sync",
                Map.of("revision", "abc", "target_only", true, "prune", true), false), ctx);
        assertInstanceOf(ActionResult.Applied.class, r, r.message());
        stub.server.verify(postRequestedFor(urlEqualTo(APP + "/sync")).withRequestBody(equalToJson("""
                {"name":"web","revision":"abc","prune":true,"dryRun":false,
                 "resources":[{"group":"apps","kind":"Deployment","namespace":"default","name":"web"}]}""")));
    }

    @Test
    void syncDryRunAsksArgoAndChangesNothing() {
        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(200, app("web"))));
        appSequence(app("web"));
        ActionResult r = sync().execute(request("argocd-sync", Map.of(), true), ctx);
        assertInstanceOf(ActionResult.DryRun.class, r, r.message());
        stub.server.verify(postRequestedFor(urlEqualTo(APP + "/sync")).withRequestBody(equalToJson("{\"dryRun\":true}", true, true)));
        assertEquals(List.of(), slept, "a dry run does not wait");
        assertEquals(List.of(), ctx.events);
        assertTrue(sync() instanceof SupportsDryRun && sync() instanceof Reversible);
    }

    @Test
    void syncRefusedWhileAnotherOperationRuns() {
        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(400, error(9, "another operation is already in progress"))));
        appSequence(app("web"));
        ActionResult r = sync().execute(request("argocd-sync", Map.of(), false), ctx);
        ActionResult.Failed f = assertInstanceOf(ActionResult.Failed.class, r);
        assertTrue(f.retryable());
        assertTrue(f.message().contains("another operation is already in progress"), f.message());
    }

    @Test
    void syncBlockedBySyncWindow() {
        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(403, error(7, "cannot sync: blocked by sync window"))));
        appSequence(app("web"));
        ActionResult.Failed f = assertInstanceOf(ActionResult.Failed.class, sync().execute(request("argocd-sync", Map.of(), false), ctx));
        assertTrue(f.retryable());
        assertTrue(f.message().contains("blocked by sync window"), f.message());
    }

    @Test
    void anOperationThatNeverFinishesIsTerminated() {
        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(200, app("web"))));
        stub.server.stubFor(delete(urlEqualTo(APP + "/operation")).willReturn(json(200, "{}")));
        appSequence(app("web").operation("Running", "x", "waiting for healthy state", "2024-05-01T10:10:00Z", null));
        ActionResult.Failed f = assertInstanceOf(ActionResult.Failed.class, sync().execute(request("argocd-sync", Map.of(), false), ctx));
        assertTrue(f.message().contains("did not finish within PT1S"), f.message());
        assertTrue(f.message().contains("terminated it"), f.message());
        stub.server.verify(1, deleteRequestedFor(urlEqualTo(APP + "/operation")));
        assertEquals(10, slept.size(), "wait_timeout / poll_interval polls, no more");
    }

    @Test
    void aFailedOperationIsAFailure() {
        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(200, app("web"))));
        appSequence(app("web"), app("web").operation("Failed", "x", "one or more objects failed to apply",
                "2024-05-01T10:10:00Z", "2024-05-01T10:10:03Z"));
        ActionResult.Failed f = assertInstanceOf(ActionResult.Failed.class, sync().execute(request("argocd-sync", Map.of(), false), ctx));
        assertTrue(f.message().contains("operation Failed: one or more objects failed to apply"), f.message());
    }

    @Test
    void aSucceededOperationWhoseAppStaysUnhealthyIsStillApplied() {
        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(200, app("web"))));
        appSequence(app("web").sync("Synced", "old"), app("web").sync("Synced", "new").health("Progressing", null, null)
                .operation("Succeeded", "new", "ok", "2024-05-01T10:10:00Z", "2024-05-01T10:10:01Z"));
        ActionResult.Applied a = assertInstanceOf(ActionResult.Applied.class,
                sync().execute(request("argocd-sync", Map.of(), false), ctx));
        assertTrue(a.message().contains("still Progressing after PT1S"), a.message());
        assertEquals("old", a.undoState().get("fromRevision"), "undo stays possible");
    }

    @Test
    void progressThatCannotBeReadLeavesTheChangeUndoable() {
        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(200, app("web"))));
        stub.server.stubFor(get(urlEqualTo(APP)).inScenario("app").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("gone").willReturn(json(200, app("web").sync("Synced", "old"))));
        stub.server.stubFor(get(urlEqualTo(APP)).inScenario("app").whenScenarioStateIs("gone")
                .willReturn(json(403, error(7, "permission denied"))));
        ActionResult.Applied a = assertInstanceOf(ActionResult.Applied.class,
                sync().execute(request("argocd-sync", Map.of(), false), ctx));
        assertTrue(a.message().contains("progress could not be read (HTTP 403"), a.message());
        assertEquals("old", a.undoState().get("fromRevision"));
    }

    @Test
    void anUnmanagedTargetIsRefused() {
        ActionRequest req = new ActionRequest("inc-1", "argocd-sync", ResourceRef.of("Deployment", "default", "plain"),
                Map.of(), 0.9, false);
        ActionResult.Failed f = assertInstanceOf(ActionResult.Failed.class, sync().execute(req, ctx));
        assertTrue(f.message().contains("is not managed by an Argo CD application"), f.message());
        assertEquals(1, sync().validate(req, ctx).size());
        assertEquals(0, stub.server.getAllServeEvents().size(), "nothing sent to Argo CD");
    }

    @Test
    void aBadRevisionIsRefused() {
        ActionRequest req = request("argocd-sync", Map.of("revision", "HEAD; rm -rf /"), false);
        assertEquals(1, sync().validate(req, ctx).size());
        assertInstanceOf(ActionResult.Failed.class, sync().execute(req, ctx));
        assertEquals(0, stub.server.getAllServeEvents().size());
    }

    @Test
    void syncUndoSyncsBackToThePreviousRevision() {
        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(200, app("web"))));
        appSequence(app("web").sync("Synced", "new111"),
                app("web").sync("Synced", "old000").operation("Succeeded", "old000", "ok", "2024-05-01T10:10:00Z", "2024-05-01T10:10:01Z"));
        ActionResult.Applied applied = new ActionResult.Applied("synced", Map.of("app", "web", "fromRevision", "old000"));
        ActionResult r = sync().undo(request("argocd-sync", Map.of(), false), applied, ctx);
        assertInstanceOf(ActionResult.Applied.class, r, r.message());
        stub.server.verify(postRequestedFor(urlEqualTo(APP + "/sync"))
                .withRequestBody(equalToJson("{\"name\":\"web\",\"revision\":\"old000\",\"prune\":false,\"dryRun\":false}")));
        ActionResult noState = sync().undo(request("argocd-sync", Map.of(), false), new ActionResult.Applied("x", Map.of()), ctx);
        assertInstanceOf(ActionResult.Failed.class, noState);
    }

    // ---- argocd-rollback ----

    @Test
    void rollbackToThePreviousRevisionAndWaitForHealthy() {
        stub.server.stubFor(post(urlEqualTo(APP + "/rollback")).willReturn(json(200, app("web"))));
        appSequence(deployedTwice(),
                deployedTwice().sync("OutOfSync", "bad222").operation("Running", "good111", null, "2024-05-01T10:10:00Z", null),
                deployedTwice().sync("OutOfSync", "good111").health("Healthy", null, null)
                        .operation("Succeeded", "good111", "successfully synced", "2024-05-01T10:10:00Z", "2024-05-01T10:10:09Z"));
        ActionResult r = rollback().execute(request("argocd-rollback", Map.of(), false), ctx);
        ActionResult.Applied a = assertInstanceOf(ActionResult.Applied.class, r, r.message());
        assertTrue(a.message().contains("to history id 1 (revision good111"), a.message());
        assertTrue(a.message().contains("Healthy"), a.message());
        assertEquals("bad222", a.undoState().get("fromRevision"));
        assertEquals(1L, ((Number) a.undoState().get("toHistoryId")).longValue());
        assertEquals(2L, ((Number) a.undoState().get("fromHistoryId")).longValue());
        stub.server.verify(postRequestedFor(urlEqualTo(APP + "/rollback"))
                .withRequestBody(equalToJson("{\"name\":\"web\",\"id\":1,\"dryRun\":false,\"prune\":false}")));
        stub.server.verify(0, patchRequestedFor(urlEqualTo(APP)));
        assertTrue(ctx.events.get(0).contains("ArgoCDRollback"), ctx.events.toString());
    }

    @Test
    void rollbackPrefersTheLastRevisionSeenHealthy() {
        // The cache saw rev "one" Healthy earlier; "two" was deployed next and never turned Healthy.
        argo.apps().observe(json2App(app("web").sync("Synced", "one")));
        ArgoStub.App three = app("web").sync("Synced", "three").health("Degraded", "x", "2024-05-01T10:05:00Z")
                .history(1, "one", "2024-05-01T08:00:00Z", "a").history(2, "two", "2024-05-01T09:00:00Z", "b")
                .history(3, "three", "2024-05-01T10:00:00Z", "c");
        ArgoRollbackAction.Choice c = rollback().choose(AppRef.of("web"), json2App(three).status().history(), "three", null);
        assertEquals(1, c.entry().id());
        assertEquals("the last revision seen Healthy", c.why());
        ArgoRollbackAction.Choice none = new ArgoRollbackAction(new ArgoCd(argo.config(), argo.client(), clock), slept::add)
                .choose(AppRef.of("web"), json2App(three).status().history(), "three", null);
        assertEquals(2, none.entry().id(), "without observations: the one before the current");
        ArgoRollbackAction.Choice asked = rollback().choose(AppRef.of("web"), json2App(three).status().history(), "three", 2L);
        assertEquals(2, asked.entry().id());
        assertEquals(null, rollback().choose(AppRef.of("web"), json2App(three).status().history(), "three", 9L).entry());
    }

    private static io.kubeincident.argocd.model.Application json2App(ArgoStub.App a) {
        try {
            return ArgoStub.JSON.readValue(a.toString(), io.kubeincident.argocd.model.Application.class);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void rollbackToAMissingHistoryIdOrWithoutHistoryFails() {
        appSequence(deployedTwice());
        ActionResult.Failed f = assertInstanceOf(ActionResult.Failed.class,
                rollback().execute(request("argocd-rollback", Map.of("history_id", 42), false), ctx));
        assertTrue(f.message().contains("no history entry 42 (has [1, 2])"), f.message());
        stub.server.resetAll();
        appSequence(app("web"));
        ActionResult.Failed g = assertInstanceOf(ActionResult.Failed.class,
                rollback().execute(request("argocd-rollback", Map.of(), false), ctx));
        assertTrue(g.message().contains("no deployment history"), g.message());
        stub.server.verify(0, postRequestedFor(urlPathEqualTo(APP + "/rollback")));
    }

    @Test
    void rollbackWithAutoSyncIsRefusedWithArgosReason() {
        appSequence(deployedTwice().autoSync(true));
        ActionResult.Failed f = assertInstanceOf(ActionResult.Failed.class,
                rollback().execute(request("argocd-rollback", Map.of(), false), ctx));
        assertTrue(f.message().contains("rollback cannot be initiated when auto-sync is enabled"), f.message());
        assertTrue(f.message().contains("argocd.allow_disable_autosync"), f.message());
        assertTrue(!f.retryable());
        stub.server.verify(0, postRequestedFor(urlPathEqualTo(APP + "/rollback")));
        stub.server.verify(0, patchRequestedFor(urlEqualTo(APP)));
    }

    @Test
    void argosOwnAutoSyncRefusalIsPassedOn() {
        // Our read showed no auto-sync, but someone turned it on meanwhile: Argo CD says no.
        stub.server.stubFor(post(urlEqualTo(APP + "/rollback"))
                .willReturn(json(400, error(9, "rollback cannot be initiated when auto-sync is enabled"))));
        appSequence(deployedTwice());
        ActionResult.Failed f = assertInstanceOf(ActionResult.Failed.class,
                rollback().execute(request("argocd-rollback", Map.of(), false), ctx));
        assertTrue(f.message().startsWith("Argo CD refuses: rollback cannot be initiated when auto-sync is enabled"), f.message());
    }

    @Test
    void allowedToDisableAutoSyncRecordsAndUndoRestoresThePolicy() {
        use(Map.of("argocd.allow_disable_autosync", "true"));
        String off = "{\"name\":\"web\",\"patch\":\"{\\\"spec\\\":{\\\"syncPolicy\\\":{\\\"automated\\\":null}}}\",\"patchType\":\"merge\"}";
        String on = "{\"name\":\"web\",\"patch\":\"{\\\"spec\\\":{\\\"syncPolicy\\\":{\\\"automated\\\":{\\\"prune\\\":false,\\\"selfHeal\\\":true}}}}\",\"patchType\":\"merge\"}";
        stub.server.stubFor(patch(urlEqualTo(APP)).willReturn(json(200, app("web"))));
        stub.server.stubFor(post(urlEqualTo(APP + "/rollback")).willReturn(json(200, app("web"))));
        appSequence(deployedTwice().autoSync(true),
                deployedTwice().sync("OutOfSync", "good111").health("Healthy", null, null)
                        .operation("Succeeded", "good111", "ok", "2024-05-01T10:10:00Z", "2024-05-01T10:10:09Z"));
        ActionResult r = rollback().execute(request("argocd-rollback", Map.of(), false), ctx);
        ActionResult.Applied a = assertInstanceOf(ActionResult.Applied.class, r, r.message());
        assertEquals("{\"prune\":false,\"selfHeal\":true}", a.undoState().get("previousAutomated"));
        assertTrue(a.message().contains("auto-sync stays off until undo"), a.message());
        stub.server.verify(1, patchRequestedFor(urlEqualTo(APP)).withRequestBody(equalToJson(off)));
        stub.server.verify(0, patchRequestedFor(urlEqualTo(APP)).withRequestBody(equalToJson(on)));

        // undo: sync back to bad222 while auto-sync is still off, then restore the recorded policy
        stub.server.resetAll();
        stub.server.stubFor(patch(urlEqualTo(APP)).willReturn(json(200, app("web"))));
        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(200, app("web"))));
        appSequence(deployedTwice().history(3, "good111", "2024-05-01T10:10:09Z", "kube-incident")
                        .sync("OutOfSync", "bad222").health("Healthy", null, null),
                deployedTwice().operation("Succeeded", "bad222", "ok", "2024-05-01T10:20:00Z", "2024-05-01T10:20:05Z"));
        ActionResult u = rollback().undo(request("argocd-rollback", Map.of(), false), a, ctx);
        assertTrue(u instanceof ActionResult.Applied, u.message());
        assertTrue(u.message().contains("restored to {\"prune\":false,\"selfHeal\":true}"), u.message());
        stub.server.verify(postRequestedFor(urlEqualTo(APP + "/sync"))
                .withRequestBody(equalToJson("{\"name\":\"web\",\"revision\":\"bad222\",\"prune\":false,\"dryRun\":false}")));
        stub.server.verify(1, patchRequestedFor(urlEqualTo(APP)).withRequestBody(equalToJson(on)));
    }

    @Test
    void aRefusedRollbackRestoresTheAutoSyncItTurnedOff() {
        use(Map.of("argocd.allow_disable_autosync", "true"));
        stub.server.stubFor(patch(urlEqualTo(APP)).willReturn(json(200, app("web"))));
        stub.server.stubFor(post(urlEqualTo(APP + "/rollback")).willReturn(json(403, error(7, "cannot sync: blocked by sync window"))));
        appSequence(deployedTwice().autoSync(false));
        ActionResult.Failed f = assertInstanceOf(ActionResult.Failed.class,
                rollback().execute(request("argocd-rollback", Map.of(), false), ctx));
        assertTrue(f.message().contains("blocked by sync window"), f.message());
        stub.server.verify(2, patchRequestedFor(urlEqualTo(APP)));
        stub.server.verify(1, patchRequestedFor(urlEqualTo(APP)).withRequestBody(equalToJson(
                "{\"name\":\"web\",\"patch\":\"{\\\"spec\\\":{\\\"syncPolicy\\\":{\\\"automated\\\":{\\\"prune\\\":false,\\\"selfHeal\\\":false}}}}\",\"patchType\":\"merge\"}")));
    }

    @Test
    void rollbackDryRun() {
        stub.server.stubFor(post(urlEqualTo(APP + "/rollback")).willReturn(json(200, app("web"))));
        appSequence(deployedTwice());
        assertInstanceOf(ActionResult.DryRun.class, rollback().execute(request("argocd-rollback", Map.of(), true), ctx));
        stub.server.verify(postRequestedFor(urlEqualTo(APP + "/rollback"))
                .withRequestBody(equalToJson("{\"name\":\"web\",\"id\":1,\"dryRun\":true,\"prune\":false}")));

        // with auto-sync and permission to turn it off: nothing is changed, not even the policy
        use(Map.of("argocd.allow_disable_autosync", "true"));
        stub.server.resetAll();
        appSequence(deployedTwice().autoSync(true));
        ActionResult r = rollback().execute(request("argocd-rollback", Map.of(), true), ctx);
        assertInstanceOf(ActionResult.DryRun.class, r);
        assertTrue(r.message().contains("would turn auto-sync"), r.message());
        stub.server.verify(0, patchRequestedFor(urlEqualTo(APP)));
        stub.server.verify(0, postRequestedFor(urlPathEqualTo(APP + "/rollback")));
    }

    @Test
    void rollbackIsIdempotentOnceAtTheTarget() {
        // After a rollback Argo CD records it as a new history entry; status.sync stays on the Git target.
        appSequence(deployedTwice().history(3, "good111", "2024-05-01T10:10:09Z", "kube-incident")
                .sync("OutOfSync", "bad222").health("Healthy", null, null));
        ActionResult asked = rollback().execute(request("argocd-rollback", Map.of("history_id", 1), false), ctx);
        assertInstanceOf(ActionResult.Skipped.class, asked, asked.message());
        ActionResult again = rollback().execute(request("argocd-rollback", Map.of(), false), ctx);
        assertInstanceOf(ActionResult.Skipped.class, again, again.message());
        assertTrue(again.message().contains("already rolled back to revision good111"), again.message());
        stub.server.verify(0, postRequestedFor(urlPathEqualTo(APP + "/rollback")));
    }

    @Test
    void aRevisionRolledBackFromIsNeverTheDefaultTarget() {
        // a deployed, b broke and was rolled back (3 = a), then c was deployed and broke too
        ArgoStub.App a = app("web").sync("Synced", "c").health("Degraded", "x", "2024-05-01T10:05:00Z")
                .history(1, "a", "2024-05-01T07:00:00Z", "u").history(2, "b", "2024-05-01T08:00:00Z", "u")
                .history(3, "a", "2024-05-01T08:30:00Z", "kube-incident").history(4, "c", "2024-05-01T10:00:00Z", "u");
        ArgoRollbackAction.Choice c = rollback().choose(AppRef.of("web"), json2App(a).status().history(), "c", null);
        assertEquals(3, c.entry().id(), c.why());
        ArgoStub.App onlyBad = app("web").history(1, "a", "2024-05-01T07:00:00Z", "u").history(2, "b", "2024-05-01T08:00:00Z", "u")
                .history(3, "a", "2024-05-01T08:30:00Z", "u").history(4, "a", "2024-05-01T09:00:00Z", "u");
        ArgoRollbackAction.Choice none = rollback().choose(AppRef.of("web"), json2App(onlyBad).status().history(), "a", null);
        assertEquals(null, none.entry(), "b was rolled back from: never chosen by default");
        assertTrue(none.why().contains("rolled back from before"), none.why());
    }

    @Test
    void argoCdDownIsARetryableFailure() {
        stub.server.stubFor(get(urlEqualTo(APP)).willReturn(json(503, error(14, "unavailable"))));
        ActionResult.Failed f = assertInstanceOf(ActionResult.Failed.class,
                rollback().execute(request("argocd-rollback", Map.of(), false), ctx));
        assertTrue(f.retryable());
        assertTrue(f.message().contains("HTTP 503"), f.message());
    }

    @Test
    void everyRequestTheActionsSentFollowsTheSwagger() {
        use(Map.of("argocd.allow_disable_autosync", "true"));
        stub.server.stubFor(patch(urlEqualTo(APP)).willReturn(json(200, app("web"))));
        stub.server.stubFor(post(urlEqualTo(APP + "/rollback")).willReturn(json(200, app("web"))));
        stub.server.stubFor(post(urlEqualTo(APP + "/sync")).willReturn(json(200, app("web"))));
        stub.server.stubFor(delete(urlEqualTo(APP + "/operation")).willReturn(json(200, "{}")));
        appSequence(deployedTwice().autoSync(true), deployedTwice().operation("Running", "x", null, "2024-05-01T10:10:00Z", null));
        rollback().execute(request("argocd-rollback", Map.of(), false), ctx);
        sync().execute(request("argocd-sync", Map.of("target_only", true, "revision", "abc"), true), ctx);
        assertEquals(List.of(), stub.specProblems(SwaggerSpec.load()));
    }
}

package io.kubeincident.core.e2e;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.AuditRecord;
import io.kubeincident.api.Decision;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.OutcomeRecord;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.audit.InMemoryAuditSink;
import io.kubeincident.core.learn.InMemoryOutcomeHistory;
import io.kubeincident.testkit.MutableClock;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.Workload;
import io.kubeincident.core.fixtures.DerivedRbac;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubeincident.testkit.sim.ControllerEmulator;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The remediation scenarios of the issue, end to end on the loopback API server with the real client,
 * everything found through ServiceLoader. The test plays kubelet and controllers with the testkit's
 * {@link ControllerEmulator}, and moves the engine's clock by hand between sweeps (one sweep = one look of
 * verification), so nothing waits on the wall clock.
 */
class RemediationScenariosTest {

    @RegisterExtension
    /** Under the RBAC derived for each engine: a request it does not grant fails the test. */
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests().enforceRbac();

    private final MutableClock clock = new MutableClock(Instant.now());
    private final InMemoryAuditSink audit = new InMemoryAuditSink();
    private final InMemoryOutcomeHistory outcomes = new InMemoryOutcomeHistory();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) c.close();
    }

    private IncidentEngine engine(Map<String, String> overrides, ScriptedAnalyzer analyzer) {
        Map<String, String> config = new HashMap<>(Map.of("verification.window", "3m", "verification.stable_observations", "2",
                "safety.cooldown", "0s"));
        config.putAll(overrides);
        var b = IncidentEngine.builder().config(config).clock(clock).auditSink(audit)
                .logAudit(false).outcomeHistory(outcomes);
        if (analyzer != null) b.addAnalyzer(analyzer);
        IncidentEngine e = DerivedRbac.build(kube.server(), b, config);
        closeables.add(e);
        return e;
    }

    private ControllerEmulator emulator(boolean replacementsCrash) {
        var b = ControllerEmulator.builder(kube.apiClient()).namespaces("default");
        if (replacementsCrash) b.replacementPods((rs, p) -> p.crashLoopBackOff(1));
        ControllerEmulator emu = b.build();
        emu.reconcileOnce();  // what exists now is the steady state
        closeables.add(emu);
        return emu;
    }

    /** One engine sweep after the controllers caught up and a minute passed. */
    private List<IncidentReport> sweep(IncidentEngine engine, ControllerEmulator emu) throws ApiException {
        emu.reconcileOnce();
        clock.advance(Duration.ofMinutes(1));
        return engine.runOnce();
    }

    private List<String> steps(String incidentId) {
        return audit.forIncident(incidentId).stream().map(AuditRecord::step).toList();
    }

    private List<V1Pod> pods() throws ApiException {
        return new CoreV1Api(kube.apiClient()).listNamespacedPod("default").execute().getItems();
    }

    @Test
    void crashLoopIsRestartedThePodComesBackReadyAndTheIncidentResolves() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(1).pods(p -> p.crashLoopBackOff(6)).create(kube.apiClient());
        ControllerEmulator emu = emulator(false);
        // a team that lets one restart of an unexplained crash loop run unattended (the rules give it 0.6)
        IncidentEngine engine = engine(Map.of("monitoring.confidence_threshold", "0.6", "monitoring.approval_threshold", "0.4"), null);

        IncidentReport r = engine.runOnce().get(0);
        String id = r.incident().id();
        assertEquals(ActionTypes.RESTART_POD, r.plan().get(0).action().actionType());
        assertEquals(Decision.EXECUTE, r.plan().get(0).decision(), r.plan().get(0).reasons().toString());
        assertEquals(1, engine.remediating().size(), "verification is under way");

        sweep(engine, emu);  // the ReplicaSet brought a Ready pod; first healthy look
        assertTrue(pods().stream().allMatch(p -> p.getStatus().getContainerStatuses().get(0).getReady()));
        sweep(engine, emu);  // second healthy look: resolved

        List<String> steps = steps(id);
        assertTrue(steps.indexOf("intent") < steps.indexOf("outcome"), steps.toString());
        assertTrue(steps.contains("verified") && steps.indexOf("verified") < steps.indexOf("resolved"), steps.toString());
        AuditRecord verified = audit.withStep("verified").get(0);
        assertEquals("resolved", verified.field("result"));
        assertTrue(engine.remediating().isEmpty());
        assertTrue(engine.openIncidents().isEmpty());
        OutcomeRecord learnt = outcomes.forResource(ResourceRef.of("Deployment", "default", "web")).get(0);
        assertEquals(OutcomeRecord.Outcome.RESOLVED, learnt.outcome());
        assertEquals(ActionTypes.RESTART_POD, learnt.actionType());
    }

    @Test
    void badImageRolloutIsRolledBackToThePreviousRevisionAndResolves() throws ApiException {
        // the new image crashes on start while revision 1 still serves (an image-pull detector would see the
        // other kind of bad image; the remediation is the same rollback)
        DeploymentBuilder.deployment("default", "web").replicas(2).image("registry.example.com/web:1.4")
                .rollout("registry.example.com/web:1.5", p -> p.crashLoopBackOff(4)).create(kube.apiClient());
        ControllerEmulator emu = emulator(false);
        IncidentEngine engine = engine(Map.of(), null);

        List<IncidentReport> reports = engine.runOnce();
        IncidentReport r = reports.stream().filter(x -> x.plan().stream()
                .anyMatch(p -> p.action().actionType().equals(ActionTypes.ROLLBACK_DEPLOYMENT))).findFirst()
                .orElseThrow(() -> new AssertionError("no rollback planned: " + reports.stream().map(x -> x.diagnosis() + " " + x.plan()).toList()));
        var rollback = r.plan().stream().filter(p -> p.action().actionType().equals(ActionTypes.ROLLBACK_DEPLOYMENT)).findFirst().get();
        assertEquals(Decision.EXECUTE, rollback.decision(), rollback.reasons().toString());
        assertEquals("registry.example.com/web:1.4", new AppsV1Api(kube.apiClient()).readNamespacedDeployment("web", "default")
                .execute().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());

        sweep(engine, emu);  // the controller rolls the old template out again: new pods Ready
        assertTrue(pods().stream().allMatch(p -> p.getSpec().getContainers().get(0).getImage().endsWith("web:1.4")
                && Boolean.TRUE.equals(p.getStatus().getContainerStatuses().get(0).getReady())), "all pods back on 1.4 and Ready");
        sweep(engine, emu);
        assertEquals("resolved", audit.withStep("verified").get(0).field("result"));
        assertTrue(steps(r.incident().id()).contains("resolved"), steps(r.incident().id()).toString());
        assertTrue(new CoreV1Api(kube.apiClient()).listNamespacedEvent("default").execute().getItems().stream()
                .anyMatch(e -> "KubeIncidentRollback".equals(e.getReason())), "a Kubernetes Event on the Deployment");
    }

    @Test
    void aRestartThatDoesNotHelpTwiceIsEscalatedAndNotTriedAThirdTime() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(1).pods(p -> p.crashLoopBackOff(6)).create(kube.apiClient());
        ControllerEmulator emu = emulator(true);  // every new pod crash-loops again
        ScriptedAnalyzer insistent = new ScriptedAnalyzer(req -> List.of(new ProposedAction(ActionTypes.RESTART_POD,
                ScriptedAnalyzer.firstPod(req), Map.of(), 0.95, "restart it")));
        IncidentEngine engine = engine(Map.of("safety.retry_budget", "2"), insistent);

        String id = engine.runOnce().get(0).incident().id();
        for (int i = 0; i < 12 && !steps(id).contains("escalated"); i++) sweep(engine, emu);

        List<AuditRecord> restarts = audit.forIncident(id).stream()
                .filter(a -> a.step().equals("outcome") && "applied".equals(a.field("result"))).toList();
        assertEquals(2, restarts.size(), "two restarts: " + steps(id));
        assertTrue(steps(id).contains("escalated"), steps(id).toString());
        assertEquals(2, audit.withStep("verified").stream().filter(v -> "not_improved".equals(v.field("result"))).count());
        AuditRecord escalated = audit.withStep("escalated").get(0);
        assertTrue(escalated.field("reasons").toString().contains("retry budget"), escalated.fields().toString());
        for (int i = 0; i < 5; i++) sweep(engine, emu);
        assertEquals(2, audit.forIncident(id).stream().filter(a -> a.step().equals("intent")).count(), "no third restart");
        assertEquals(2, outcomes.find("crash-loop", ActionTypes.RESTART_POD).size());
    }

    @Test
    void aPlanTargetingADeploymentInAnotherNamespaceIsDenied() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(1).pods(p -> p.crashLoopBackOff(6)).create(kube.apiClient());
        Workload other = DeploymentBuilder.deployment("payments", "web").replicas(1).image("pay:1").previousRevision("pay:0")
                .create(kube.apiClient());
        ScriptedAnalyzer wide = new ScriptedAnalyzer(req -> List.of(new ProposedAction(ActionTypes.ROLLBACK_DEPLOYMENT,
                ResourceRef.of("Deployment", "payments", "web"), Map.of(), 0.99, "the payments service is the real culprit")));
        IncidentEngine engine = engine(Map.of(), wide);

        var planned = engine.runOnce().get(0).plan().get(0);
        assertEquals(Decision.DENIED, planned.decision());
        assertTrue(planned.reasons().stream().anyMatch(s -> s.contains("blast radius") || s.contains("does not belong")),
                planned.reasons().toString());
        assertEquals("pay:1", new AppsV1Api(kube.apiClient()).readNamespacedDeployment("web", "payments").execute()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage(), "nothing changed in payments");
        assertTrue(audit.withStep("intent").isEmpty());
        assertEquals("denied", audit.withStep("decision").get(0).field("decision"));
        assertEquals(other.deployment().getMetadata().getUid(),
                new AppsV1Api(kube.apiClient()).readNamespacedDeployment("web", "payments").execute().getMetadata().getUid());
    }

    @Test
    void dryRunModeChangesNothingAndAuditsEverything() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(2).image("web:1").rollout("web:2", p -> p.crashLoopBackOff(4))
                .create(kube.apiClient());
        ControllerEmulator emu = emulator(false);
        Map<String, String> before = state();
        IncidentEngine engine = engine(Map.of("remediation.mode", "dry-run"), null);
        List<IncidentReport> reports = engine.runOnce();
        sweep(engine, emu);
        assertEquals(before, state(), "nothing changed on the server");
        assertFalse(audit.withStep("decision").isEmpty());
        assertFalse(audit.withStep("intent").isEmpty());
        for (AuditRecord o : audit.withStep("outcome")) {
            assertEquals(true, o.field("dry_run"));
            assertEquals("dry-run", o.field("result"), o.fields().toString());
        }
        assertTrue(engine.remediating().isEmpty(), "nothing to verify after a dry run");
        assertTrue(new CoreV1Api(kube.apiClient()).listNamespacedEvent("default").execute().getItems().stream()
                .noneMatch(e -> e.getReason() != null && e.getReason().startsWith("KubeIncident")), "no events either");
        assertFalse(reports.isEmpty());
    }

    @Test
    void aChangeThatMakesThingsWorseIsUndoneAndEscalated() throws ApiException {
        Workload w = DeploymentBuilder.deployment("default", "web").replicas(2).create(kube.apiClient());
        AppsV1Api apps = new AppsV1Api(kube.apiClient());
        io.kubernetes.client.custom.V1Patch limits = new io.kubernetes.client.custom.V1Patch("[{\"op\":\"add\",\"path\":"
                + "\"/spec/template/spec/containers/0/resources\",\"value\":{\"limits\":{\"memory\":\"256Mi\"}}}]");
        io.kubernetes.client.util.PatchUtils.patch(io.kubernetes.client.openapi.models.V1Deployment.class,
                () -> apps.patchNamespacedDeployment("web", "default", limits).buildCall(null),
                io.kubernetes.client.custom.V1Patch.PATCH_FORMAT_JSON_PATCH, kube.apiClient());
        // one of the two pods crash-loops (OOM), the other serves: 1 ready before the action
        V1Pod sick = w.pods().get(0);
        V1Pod status = io.kubeincident.testkit.scenario.PodBuilder.pod("default", sick.getMetadata().getName())
                .spec(sick.getSpec()).labels(sick.getMetadata().getLabels()).oomKilled(4).build();
        sick.setStatus(status.getStatus());
        new CoreV1Api(kube.apiClient()).replaceNamespacedPodStatus(sick.getMetadata().getName(), "default",
                new CoreV1Api(kube.apiClient()).readNamespacedPod(sick.getMetadata().getName(), "default").execute().status(status.getStatus()))
                .execute();
        ControllerEmulator emu = emulator(true);  // the new template's pods crash too: the raise makes it worse
        ScriptedAnalyzer raise = new ScriptedAnalyzer(req -> List.of(new ProposedAction(ActionTypes.ADJUST_RESOURCES,
                req.incident().rootResource(), Map.of("factor", 1.5), 0.95, "OOM: give it more memory")));
        IncidentEngine engine = engine(Map.of(), raise);

        String id = engine.runOnce().get(0).incident().id();
        assertEquals("384Mi", memoryLimit());
        for (int i = 0; i < 6 && !steps(id).contains("escalated"); i++) sweep(engine, emu);

        assertEquals("worse", audit.withStep("verified").get(0).field("result"), audit.withStep("verified").toString());
        List<AuditRecord> undo = audit.forIncident(id).stream().filter(a -> Boolean.TRUE.equals(a.field("undo"))).toList();
        assertEquals(List.of("intent", "outcome"), undo.stream().map(AuditRecord::step).toList());
        assertEquals("applied", undo.get(1).field("result"), undo.get(1).fields().toString());
        assertEquals("256Mi", memoryLimit(), "the raise was undone");
        assertTrue(steps(id).indexOf("escalated") > steps(id).lastIndexOf("outcome"), steps(id).toString());
        assertEquals(OutcomeRecord.Outcome.WORSE, outcomes.forResource(ResourceRef.of("Deployment", "default", "web")).get(0).outcome());
        int intents = (int) audit.withStep("intent").size();
        for (int i = 0; i < 3; i++) sweep(engine, emu);
        assertEquals(intents, audit.withStep("intent").size(), "an escalated incident is not acted on again");
    }

    private String memoryLimit() throws ApiException {
        return new AppsV1Api(kube.apiClient()).readNamespacedDeployment("web", "default").execute().getSpec().getTemplate()
                .getSpec().getContainers().get(0).getResources().getLimits().get("memory").toSuffixedString();
    }

    @Test
    void anApprovedActionIsJudgedAgainBeforeItRuns() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(1).pods(p -> p.crashLoopBackOff(6)).create(kube.apiClient());
        IncidentEngine engine = engine(Map.of("remediation.mode", "approval"), null);
        IncidentReport r = engine.runOnce().get(0);
        assertEquals(Decision.APPROVAL, r.plan().get(0).decision());
        String approvalId = engine.approvals().pending().get(0).id();
        // meanwhile the team opts the namespace out
        new CoreV1Api(kube.apiClient()).createNamespace(new io.kubernetes.client.openapi.models.V1Namespace().metadata(
                new io.kubernetes.client.openapi.models.V1ObjectMeta().name("default").putLabelsItem("kube-incident.io/ignore", "true")))
                .execute();
        var d = engine.approvals().approve(approvalId, "sre@example.com");
        var approved = org.junit.jupiter.api.Assertions.assertInstanceOf(io.kubeincident.core.approval.Approvals.Decision.Approved.class, d);
        org.junit.jupiter.api.Assertions.assertInstanceOf(io.kubeincident.api.ActionResult.Failed.class, approved.result());
        assertTrue(approved.result().message().contains("opted out"), approved.result().message());
        assertEquals(1, pods().size(), "the pod was not deleted");
        org.junit.jupiter.api.Assertions.assertInstanceOf(io.kubeincident.core.approval.Approvals.Decision.AlreadyDecided.class,
                engine.approvals().approve(approvalId, "sre@example.com"));
    }

    @Test
    void twoActionsRacingOnTheSameResourceOnlyOneRuns() throws Exception {
        DeploymentBuilder.deployment("default", "web").replicas(2).image("web:2").previousRevision("web:1").create(kube.apiClient());
        ResourceRef web = ResourceRef.of("Deployment", "default", "web");
        var ledger = new io.kubeincident.core.safety.ActionLedger();
        var trail = new io.kubeincident.core.audit.AuditTrail(List.of(audit), clock);
        java.util.concurrent.CountDownLatch bothInside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        var api = new io.kubeincident.core.action.KubeApi(io.kubeincident.core.action.ApiRetryConfig.defaults(),
                io.kubeincident.core.action.Sleeper.NONE);
        // the rollback holds its claim until the restart has tried to start
        var slowRollback = new io.kubeincident.core.action.RollbackDeploymentAction(api);
        io.kubeincident.spi.RemediationAction holding = new io.kubeincident.spi.RemediationAction() {
            public String id() {
                return ActionTypes.ROLLBACK_DEPLOYMENT;
            }

            public String description() {
                return slowRollback.description();
            }

            public java.util.Set<String> targetKinds() {
                return slowRollback.targetKinds();
            }

            public io.kubeincident.api.ActionResult execute(io.kubeincident.api.ActionRequest req, io.kubeincident.spi.ActionContext ctx) {
                bothInside.countDown();
                try {
                    release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return slowRollback.execute(req, ctx);
            }
        };
        var executor = new io.kubeincident.core.exec.ActionExecutor(Map.of(ActionTypes.ROLLBACK_DEPLOYMENT, holding,
                ActionTypes.ROLLOUT_RESTART, new io.kubeincident.core.action.RolloutRestartAction(api)), ledger, trail, clock);
        var incident = io.kubeincident.testkit.context.TestContexts.incident("crash-loop", web);
        var ctx = io.kubeincident.testkit.context.TestContexts.action().apiClient(kube.apiClient()).incident(incident).build();
        var rollback = new PlannedAction(new ProposedAction(ActionTypes.ROLLBACK_DEPLOYMENT, web, Map.of(), 0.9, "a"),
                io.kubeincident.api.Verdict.allow(), Decision.EXECUTE, List.of());
        var restart = new PlannedAction(new ProposedAction(ActionTypes.ROLLOUT_RESTART, web, Map.of(), 0.9, "b"),
                io.kubeincident.api.Verdict.allow(), Decision.EXECUTE, List.of());
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var first = pool.submit(() -> executor.execute(incident, rollback, false, ctx, "race"));
            assertTrue(bothInside.await(10, java.util.concurrent.TimeUnit.SECONDS));
            var second = pool.submit(() -> executor.execute(incident, restart, false, ctx, "race"));
            io.kubeincident.api.ActionResult loser = second.get(10, java.util.concurrent.TimeUnit.SECONDS);
            release.countDown();
            io.kubeincident.api.ActionResult winner = first.get(10, java.util.concurrent.TimeUnit.SECONDS);
            org.junit.jupiter.api.Assertions.assertInstanceOf(io.kubeincident.api.ActionResult.Applied.class, winner, winner.message());
            org.junit.jupiter.api.Assertions.assertInstanceOf(io.kubeincident.api.ActionResult.Skipped.class, loser, loser.message());
            assertTrue(loser.message().contains("another action is running on Deployment/default/web"), loser.message());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertEquals(1, audit.withStep("intent").size(), "only the winner wrote an intent");
        assertEquals("web:1", new AppsV1Api(kube.apiClient()).readNamespacedDeployment("web", "default").execute()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertFalse(new AppsV1Api(kube.apiClient()).readNamespacedDeployment("web", "default").execute()
                .getSpec().getTemplate().getMetadata().getAnnotations().containsKey(io.kubeincident.core.action.Workloads.RESTARTED_AT),
                "the restart never ran");
    }

    @Test
    void aBarePodIsNeverRestartedTheIncidentIsEscalatedInstead() throws ApiException {
        io.kubeincident.testkit.scenario.PodBuilder.pod("default", "one-off-job").node("node-1").crashLoopBackOff(5)
                .create(kube.apiClient());
        // the rules analyzer knows better than to propose it; an LLM-style analyzer might not
        ScriptedAnalyzer naive = new ScriptedAnalyzer(req -> List.of(new ProposedAction(ActionTypes.RESTART_POD,
                ScriptedAnalyzer.firstPod(req), Map.of(), 0.95, "restart it")));
        IncidentEngine engine = engine(Map.of(), naive);
        IncidentReport r = engine.runOnce().get(0);
        // refused when planned, as it would be when run (scan says the same)
        assertEquals(Decision.DENIED, r.plan().get(0).decision(), r.plan().toString());
        assertTrue(r.plan().get(0).reasons().get(0).startsWith("precondition: refused"), r.plan().get(0).reasons().toString());
        assertEquals(List.of("one-off-job"), pods().stream().map(p -> p.getMetadata().getName()).toList(), "still there");
        assertTrue(steps(r.incident().id()).contains("escalated"), steps(r.incident().id()).toString());
        assertTrue(audit.withStep("escalated").get(0).field("reasons").toString().contains("no controller"));
        engine.runOnce();
        assertEquals(1, audit.withStep("escalated").size(), "escalated once, not every sweep");
    }

    @Test
    void aStepThatKeepsFailingInPassingIsPlannedAgainABoundedNumberOfTimesThenEscalated() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(1).pods(p -> p.crashLoopBackOff(6)).create(kube.apiClient());
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        io.kubeincident.spi.RemediationAction flaky = new io.kubeincident.spi.RemediationAction() {
            public String id() {
                return "flaky-fix";
            }

            public String description() {
                return "always meets a passing server error";
            }

            public java.util.Set<String> targetKinds() {
                return java.util.Set.of("Deployment");
            }

            public io.kubeincident.api.ActionResult execute(io.kubeincident.api.ActionRequest r, io.kubeincident.spi.ActionContext c) {
                calls.incrementAndGet();
                return io.kubeincident.api.ActionResult.failedRetryable("HTTP 503 (simulated)");
            }
        };
        ScriptedAnalyzer plan = new ScriptedAnalyzer(req -> List.of(new ProposedAction("flaky-fix", req.incident().rootResource(),
                Map.of(), 0.95, "fix it")));
        Map<String, String> config = Map.of("safety.retry_budget", "10", "remediation.enable_flaky_fix", "true");
        IncidentEngine engine = DerivedRbac.build(kube.server(), IncidentEngine.builder().config(config)
                .clock(clock).auditSink(audit).logAudit(false).addAnalyzer(plan).addAction(flaky), config);
        closeables.add(engine);
        String id = engine.runOnce().get(0).incident().id();
        for (int i = 0; i < 8; i++) {
            clock.advance(Duration.ofMinutes(1));
            engine.runOnce();
        }
        assertEquals(4, calls.get(), "the first try and three more plans, then a human: " + steps(id));
        assertTrue(audit.withStep("escalated").get(0).field("reasons").toString().contains("without a step taking effect"));
    }

    /** Every object's name with its resourceVersion: any write changes it. */
    private Map<String, String> state() throws ApiException {
        Map<String, String> m = new HashMap<>();
        for (var p : new CoreV1Api(kube.apiClient()).listNamespacedPod("default").execute().getItems()) {
            m.put("pod/" + p.getMetadata().getName(), p.getMetadata().getResourceVersion());
        }
        for (var d : new AppsV1Api(kube.apiClient()).listNamespacedDeployment("default").execute().getItems()) {
            m.put("deployment/" + d.getMetadata().getName(), d.getMetadata().getResourceVersion());
        }
        for (var rs : new AppsV1Api(kube.apiClient()).listNamespacedReplicaSet("default").execute().getItems()) {
            m.put("rs/" + rs.getMetadata().getName(), rs.getMetadata().getResourceVersion());
        }
        return m;
    }
}

package io.kubeincident.core.e2e;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.AuditRecord;
import io.kubeincident.api.Decision;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.audit.AuditJson;
import io.kubeincident.core.audit.InMemoryAuditSink;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.NodeBuilder;
import io.kubeincident.core.fixtures.DerivedRbac;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.util.PatchUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per safety invariant of DESIGN.md that tries to break it, through the whole engine on the loopback
 * API server. (Invariant 7, only the leader acts, belongs to the engine's continuous mode and is tested there.)
 */
class SafetyInvariantsTest {

    @RegisterExtension
    /** Under the RBAC derived for each engine: a request it does not grant fails the test. */
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests().enforceRbac();

    private final InMemoryAuditSink audit = new InMemoryAuditSink();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) c.close();
    }

    private IncidentEngine engine(Map<String, String> config, ScriptedAnalyzer analyzer, RemediationAction... extra) {
        var b = IncidentEngine.builder().config(config).auditSink(audit).logAudit(false)
                .addAnalyzer(analyzer);
        for (RemediationAction a : extra) b.addAction(a);
        IncidentEngine e = DerivedRbac.build(kube.server(), b, config);
        closeables.add(e);
        return e;
    }

    private void crashLooping(String ns, String name) throws ApiException {
        DeploymentBuilder.deployment(ns, name).replicas(1).pods(p -> p.crashLoopBackOff(6)).create(kube.apiClient());
    }

    private static ProposedAction propose(String type, ResourceRef target, Map<String, Object> params) {
        return new ProposedAction(type, target, params, 1.0, "certain of it");
    }

    private String image(String ns, String name) throws ApiException {
        return new AppsV1Api(kube.apiClient()).readNamespacedDeployment(name, ns).execute().getSpec().getTemplate().getSpec()
                .getContainers().get(0).getImage();
    }

    /** Invariant 1: an analyzer cannot widen the blast radius, whatever its confidence. */
    @Test
    void anAnalyzerCannotActOutsideTheIncident() throws ApiException {
        crashLooping("default", "web");
        DeploymentBuilder.deployment("default", "api").replicas(2).create(kube.apiClient());
        DeploymentBuilder.deployment("payments", "ledger").replicas(3).create(kube.apiClient());
        NodeBuilder.node("node-9").ready().create(kube.apiClient());
        ScriptedAnalyzer wide = new ScriptedAnalyzer(req -> List.of(
                propose(ActionTypes.ROLLOUT_RESTART, ResourceRef.of("Deployment", "default", "api"), Map.of()),
                propose(ActionTypes.SCALE, ResourceRef.of("Deployment", "payments", "ledger"), Map.of("replicas", 4)),
                propose(ActionTypes.CORDON_NODE, ResourceRef.cluster("Node", "node-9"), Map.of()),
                propose(ActionTypes.PATCH_CONFIGMAP, ResourceRef.of("ConfigMap", "kube-system", "coredns"),
                        Map.of("data", Map.of("Corefile", ".:53 {}")))));
        List<PlannedAction> plan = engine(Map.of("remediation.enable_node_drain", "true", "remediation.enable_config_update", "true"),
                wide).runOnce().get(0).plan();
        assertEquals(4, plan.size());
        for (PlannedAction p : plan) assertEquals(Decision.DENIED, p.decision(), p.toString());
        assertTrue(audit.withStep("intent").isEmpty(), "nothing ran");
        assertEquals(3, new AppsV1Api(kube.apiClient()).readNamespacedDeployment("ledger", "payments").execute().getSpec().getReplicas());
    }

    /** Invariant 2: only registered, typed actions with parameters valid against their schema; never free-form. */
    @Test
    void freeFormCommandsAndInvalidParametersNeverRun() throws ApiException {
        crashLooping("default", "web");
        ScriptedAnalyzer hostile = new ScriptedAnalyzer(req -> List.of(
                propose("kubectl-apply", ResourceRef.of("Deployment", "default", "web"), Map.of("manifest", "kind: ClusterRoleBinding")),
                propose(ActionTypes.RESTART_POD, ScriptedAnalyzer.firstPod(req), Map.of("command", "rm -rf /")),
                propose(ActionTypes.SCALE, ResourceRef.of("Deployment", "default", "web"), Map.of("replicas", "ten")),
                propose(ActionTypes.ROLLBACK_DEPLOYMENT, ResourceRef.of("Deployment", "default", "web"), Map.of("toRevision", -3))));
        List<PlannedAction> plan = engine(Map.of(), hostile).runOnce().get(0).plan();
        for (PlannedAction p : plan) assertEquals(Decision.DENIED, p.decision(), p.toString());
        assertTrue(plan.get(0).reasons().get(0).contains("not registered"), plan.get(0).reasons().toString());
        assertTrue(String.join(" ", plan.get(1).reasons()).contains("command"), plan.get(1).reasons().toString());
        assertTrue(audit.withStep("intent").isEmpty());
        assertEquals(1, new CoreV1Api(kube.apiClient()).listNamespacedPod("default").execute().getItems().size());
    }

    /** Invariant 3: excluded namespaces are never touched, even when the configuration tries to drop the defaults. */
    @Test
    void excludedNamespacesStayUntouched() throws ApiException {
        crashLooping("kube-system", "coredns");
        crashLooping("incident-runtime", "kube-incident");
        ScriptedAnalyzer eager = new ScriptedAnalyzer(req -> List.of(propose(ActionTypes.RESTART_POD, ScriptedAnalyzer.firstPod(req), Map.of()),
                propose(ActionTypes.ROLLOUT_RESTART, req.incident().rootResource(), Map.of())));
        List<IncidentReport> reports = engine(Map.of("safety.excluded_namespaces", "team-a", "runtime.namespace", "incident-runtime"),
                eager).runOnce();
        assertEquals(2, reports.size());
        for (IncidentReport r : reports) {
            for (PlannedAction p : r.plan()) {
                assertEquals(Decision.DENIED, p.decision(), p.toString());
                assertTrue(String.join(" ", p.reasons()).contains("excluded"), p.reasons().toString());
            }
        }
        assertEquals(1, new CoreV1Api(kube.apiClient()).listNamespacedPod("kube-system").execute().getItems().size());
        assertEquals(1, new CoreV1Api(kube.apiClient()).listNamespacedPod("incident-runtime").execute().getItems().size());
        assertTrue(audit.withStep("intent").isEmpty());
    }

    /** Invariant 4: Secret values never leave the process: not in analysis, audit, events or notifications. */
    @Test
    void secretValuesNeverLeaveTheProcess() throws Exception {
        String oldValue = "0ld-Pa55word-in-the-cluster";
        String newValue = "N3w-Pa55word-from-the-plan";
        crashLooping("default", "web");
        new CoreV1Api(kube.apiClient()).createNamespacedSecret("default", new V1Secret()
                .metadata(new V1ObjectMeta().name("db-credentials").namespace("default"))
                .data(Map.of("password", oldValue.getBytes(StandardCharsets.UTF_8)))).execute();
        AppsV1Api apps = new AppsV1Api(kube.apiClient());
        V1Patch envFrom = new V1Patch("[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/envFrom\",\"value\":[{\"secretRef\":{\"name\":\"db-credentials\"}}]}]");
        PatchUtils.patch(V1Deployment.class, () -> apps.patchNamespacedDeployment("web", "default", envFrom).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_PATCH, kube.apiClient());
        WireMockServer hook = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        hook.start();
        closeables.add(hook::stop);
        hook.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        ScriptedAnalyzer rotate = new ScriptedAnalyzer(req -> List.of(propose(ActionTypes.PATCH_SECRET,
                ResourceRef.of("Secret", "default", "db-credentials"), Map.of("data", Map.of("password", newValue)))));
        IncidentEngine engine = engine(Map.of("remediation.enable_secret_update", "true",
                "alerting.webhook_url", hook.baseUrl() + "/hook", "alerting.events", "approval-requested,action-executed,escalated"), rotate);
        engine.runOnce();

        V1Secret stored = new CoreV1Api(kube.apiClient()).readNamespacedSecret("db-credentials", "default").execute();
        assertEquals(newValue, new String(stored.getData().get("password"), StandardCharsets.UTF_8), "the action did run");
        engine.close();  // flushes the notifier's queue
        List<String> leaks = new ArrayList<>();
        for (AuditRecord r : audit.records()) leaks.add(AuditJson.toJson(r));
        hook.getAllServeEvents().forEach(e -> leaks.add(e.getRequest().getBodyAsString()));
        new CoreV1Api(kube.apiClient()).listNamespacedEvent("default").execute().getItems()
                .forEach(e -> leaks.add(e.getReason() + " " + e.getMessage()));
        rotate.requests.forEach(r -> leaks.add(r.toString()));
        assertFalse(hook.getAllServeEvents().isEmpty(), "a notification was sent");
        assertTrue(leaks.stream().anyMatch(s -> s.contains("patch-secret")), "the action is named");
        for (String s : leaks) {
            for (String secret : List.of(oldValue, newValue,
                    java.util.Base64.getEncoder().encodeToString(oldValue.getBytes(StandardCharsets.UTF_8)),
                    java.util.Base64.getEncoder().encodeToString(newValue.getBytes(StandardCharsets.UTF_8)))) {
                assertFalse(s.contains(secret), "leaked a secret value in: " + s);
            }
        }
    }

    /** Invariant 5: hard limits hold whatever the confidence. */
    @Test
    void hardLimitsHoldAtFullConfidence() throws ApiException {
        crashLooping("default", "web");
        crashLooping("default", "api");
        ScriptedAnalyzer greedy = new ScriptedAnalyzer(req -> List.of(
                propose(ActionTypes.SCALE, req.incident().rootResource(), Map.of("replicas", 50)),
                propose(ActionTypes.RESTART_POD, ScriptedAnalyzer.firstPod(req), Map.of())));
        List<IncidentReport> reports = engine(Map.of("safety.max_replicas", "10", "safety.max_actions_per_hour", "1"), greedy).runOnce();
        assertEquals(2, reports.size());
        for (IncidentReport r : reports) {
            PlannedAction scale = r.plan().get(0);
            assertEquals(Decision.DENIED, scale.decision());
            assertTrue(String.join(" ", scale.reasons()).contains("safety.max_replicas=10"), scale.reasons().toString());
        }
        // The two incidents are planned concurrently: the second restart is denied at planning, or, when both
        // were planned before either started, refused by the check right before it starts. One runs either way.
        assertEquals(1, audit.withStep("intent").size());
        long refused = reports.stream().map(r -> r.plan().get(1)).filter(p -> p.decision() == Decision.DENIED
                && String.join(" ", p.reasons()).contains("max_actions_per_hour=1")).count()
                + audit.withStep("outcome").stream().filter(o -> "skipped".equals(o.field("result"))
                && String.valueOf(o.field("message")).contains("max_actions_per_hour=1")).count();
        assertEquals(1, refused, "one action per hour: the second incident waits; " + audit.records());
        assertEquals(1, new AppsV1Api(kube.apiClient()).readNamespacedDeployment("web", "default").execute().getSpec().getReplicas());
    }

    /** Invariant 6: the intent is on record, durably, before the action runs; a crash in between leaves it there. */
    @Test
    void theIntentIsDurableBeforeTheActionRunsAndSurvivesACrash(@TempDir Path dir) throws ApiException {
        crashLooping("default", "web");
        Path auditFile = dir.resolve("audit.jsonl");
        AtomicBoolean intentSeenFromInside = new AtomicBoolean();
        RemediationAction crashing = new RemediationAction() {
            public String id() {
                return "crash-the-host";
            }

            public String description() {
                return "simulates the process dying while the action runs";
            }

            public Set<String> targetKinds() {
                return Set.of("Deployment");
            }

            public ActionResult execute(ActionRequest request, ActionContext context) {
                try {
                    intentSeenFromInside.set(Files.readString(auditFile).contains("\"intent\""));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                throw new StackOverflowError("simulated crash of the host");
            }
        };
        ScriptedAnalyzer plan = new ScriptedAnalyzer(req -> List.of(propose("crash-the-host", req.incident().rootResource(), Map.of())));
        Map<String, String> config = new HashMap<>(Map.of("audit.file", auditFile.toString(),
                "remediation.enable_crash_the_host", "true"));
        IncidentEngine engine = engine(config, plan, crashing);
        assertThrows(StackOverflowError.class, engine::runOnce);
        assertTrue(intentSeenFromInside.get(), "the intent was flushed to the file before the action started");
        List<String> lines;
        try {
            lines = Files.readAllLines(auditFile);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"intent\"") && l.contains("crash-the-host")), lines.toString());
        assertFalse(lines.stream().anyMatch(l -> l.contains("\"outcome\"")), "no outcome: the process died in between");
    }
}

package io.kubeincident.argocd;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.AuditRecord;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Decision;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.audit.InMemoryAuditSink;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.OutcomeHistory;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.testkit.Await;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.Workload;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubeincident.testkit.sim.ControllerEmulator;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.kubeincident.argocd.ArgoStub.app;
import static io.kubeincident.argocd.ArgoStub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end, through the real engine (ServiceLoader discovery, the rules analyzer, the safety chain, the
 * executor and its audit), the loopback Kubernetes API server and an Argo CD stub on loopback: a Deployment
 * managed by Argo CD starts crash-looping after Argo CD deployed a new revision. The live rollback the
 * crash-loop rules propose is refused by {@code gitops-routing} ("self-heal would revert this") and replaced
 * by {@code argocd-rollback}, which the {@code argocd-degraded} incident proposes too: it runs once (auto-sync
 * turned off first, as configured), the stub's "controller" carries it out on the cluster, and the next
 * sweep finds the crash loop gone.
 */
class ArgoCdEndToEndTest {
    private static final String NS = "shop";
    private static final String APP_PATH = "/api/v1/applications/web";
    private static final String GOOD = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    private static final String BAD = "ffeeddccbbaa00998877665544332211ffeeddcc";

    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension();

    private WireMockServer argoServer;
    private ArgoCd argo;
    private ControllerEmulator controller;

    @AfterEach
    void stop() {
        if (argo != null) argo.close();
        if (controller != null) controller.close();
        if (argoServer != null) argoServer.stop();
    }

    /** Stands in for the live rollback action: it must never run for an Argo-managed Deployment. */
    static final class LiveRollback implements RemediationAction {
        final List<ActionRequest> calls = new CopyOnWriteArrayList<>();

        public String id() {
            return ActionTypes.ROLLBACK_DEPLOYMENT;
        }

        public String description() {
            return "live rollback (test stand-in)";
        }

        public Set<String> targetKinds() {
            return Set.of("Deployment");
        }

        public Map<String, Object> parametersSchema() {
            return Map.of("type", "object", "properties", Map.of("toRevision", Map.of("type", "integer")),
                    "additionalProperties", false);
        }

        public ActionResult execute(ActionRequest request, ActionContext context) {
            calls.add(request);
            return ActionResult.failed("the live rollback stand-in must not run");
        }
    }

    @Test
    void crashLoopAfterANewRevisionIsFixedByArgoRollbackNotByALivePatch() throws Exception {
        ApiClient client = kube.apiClient();
        new CoreV1Api(client).createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(NS))).execute();
        // Revision 2 (web:2.0, Argo CD revision BAD) crash-loops; revision 1 (web:1.0, GOOD) still serves.
        Workload w = DeploymentBuilder.deployment(NS, "web").replicas(2).image("registry.example.com/web:1.0")
                .rollout("registry.example.com/web:2.0", p -> p.crashLoopBackOff(5)).create(client);
        markManagedByArgo(client, w.deployment());
        controller = ControllerEmulator.builder(client).namespaces(NS).build();
        controller.reconcileOnce(); // takes the stuck rollout as the steady state

        Instant now = Instant.now();
        startArgo(client, now);
        LiveRollback live = new LiveRollback();
        InMemoryAuditSink audit = new InMemoryAuditSink();
        Map<String, String> config = new HashMap<>();
        config.put("argocd.server_url", "http://127.0.0.1:" + argoServer.port());
        config.put("argocd.token", "e2e-token");
        config.put("argocd.allow_disable_autosync", "true");
        config.put("argocd.wait_timeout", "20s");
        config.put("argocd.poll_interval", "100ms");
        config.put("argocd.refresh_interval", "1h"); // the test refreshes the app list itself, deterministically
        config.put("remediation.enable_argocd_rollback", "true"); // actions of a plug-in module are off until switched on
        // The incident whose rollback found the application already rolled back (a skip) resolves when its findings
        // clear, not after the default quiet period of five minutes.
        config.put("correlation.quiet_period", "0s");

        try (IncidentEngine engine = IncidentEngine.builder().apiClient(client).config(config).addAction(live)
                .auditSink(audit).logAudit(false).build()) {
            assertTrue(engine.actions().containsKey(ActionTypes.ARGOCD_ROLLBACK), engine.actions().keySet().toString());
            assertTrue(engine.policies().stream().anyMatch(p -> p.id().equals(GitOpsRoutingPolicy.ID)));
            assertTrue(engine.detectors().stream().anyMatch(d -> d.id().equals(ArgoDegradedDetector.ID)));

            // The providers share one ArgoCd per configuration: this is the engine's.
            argo = ArgoCd.shared(providerContext(ConfigView.of(config)));
            argo.apps().refresh();                       // Argo CD showed GOOD Healthy before the deploy
            argoServer.setScenarioState("app", "degraded");
            argo.apps().refresh();                       // ... and BAD Degraded since

            List<IncidentReport> handled = engine.runOnce();

            // The crash loop: the live rollback the rules propose is refused and replaced by argocd-rollback.
            IncidentReport crash = report(handled, IncidentTypes.CRASH_LOOP);
            assertEquals("Deployment/shop/web", crash.incident().rootResource().key());
            assertEquals("web", crash.evidence().fact("argocdApp"), "Argo CD evidence reaches the analyzers");
            var liveRollback = crash.plan().stream()
                    .filter(pa -> pa.action().actionType().equals(ActionTypes.ROLLBACK_DEPLOYMENT)).findFirst().orElseThrow(
                            () -> new AssertionError("the rules proposed no live rollback: " + crash.plan()));
            assertEquals(Decision.DENIED, liveRollback.decision());
            assertTrue(liveRollback.reasons().stream().anyMatch(r -> r.contains("gitops-routing")
                    && r.contains("self-heal would revert this; use argocd-rollback/argocd-sync")), liveRollback.reasons().toString());
            var replacement = crash.plan().stream()
                    .filter(pa -> pa.action().actionType().equals(ActionTypes.ARGOCD_ROLLBACK)).findFirst().orElseThrow(
                            () -> new AssertionError("gitops-routing offered no argocd-rollback: " + crash.plan()));
            assertEquals("Deployment/shop/web", replacement.action().target().key());
            assertEquals(Decision.EXECUTE, replacement.decision(), replacement.reasons().toString());
            assertEquals(List.of(), live.calls, "no live rollback ran");

            // The app-level incident proposes the same rollback; whichever ran first did it, the other is a no-op.
            IncidentReport degraded = report(handled, IncidentTypes.ARGOCD_DEGRADED);
            assertEquals("Application/argocd/web", degraded.incident().rootResource().key());
            assertEquals("rules", degraded.diagnosis().analyzerId());
            assertEquals("the incident began 1 minute after revision " + BAD.substring(0, 12) + " was deployed by bob",
                    degraded.evidence().fact("argocdDeployedBeforeIncident"), degraded.evidence().facts().toString());
            assertEquals(ActionTypes.ARGOCD_ROLLBACK, degraded.plan().get(0).action().actionType(), degraded.plan().toString());
            List<AuditRecord> outcomes = audit.withStep("outcome").stream()
                    .filter(a -> ActionTypes.ARGOCD_ROLLBACK.equals(a.field("action"))).toList();
            List<AuditRecord> applied = outcomes.stream().filter(a -> "applied".equals(a.field("result"))).toList();
            assertEquals(1, applied.size(), outcomes.toString());
            assertTrue(String.valueOf(applied.get(0).field("message")).contains("Healthy at revision " + GOOD.substring(0, 12)),
                    String.valueOf(applied.get(0).field("message")));
            assertTrue(outcomes.stream().allMatch(a -> "applied".equals(a.field("result")) || "skipped".equals(a.field("result"))),
                    outcomes.toString());
            String fixer = applied.get(0).incidentId();
            List<String> steps = audit.forIncident(fixer).stream().map(AuditRecord::step).toList();
            assertTrue(steps.indexOf("intent") >= 0 && steps.indexOf("intent") < steps.indexOf("outcome"), steps.toString());
            assertTrue(audit.withStep("intent").stream()
                    .noneMatch(a -> ActionTypes.ROLLBACK_DEPLOYMENT.equals(a.field("action"))), "no live rollback intent");

            // Argo CD was asked once: auto-sync off (recorded for undo), then roll back to history id 1 (GOOD).
            // (appNamespace is sent when the Application itself was the target, not for the Deployment.)
            argoServer.verify(1, patchRequestedFor(urlPathEqualTo(APP_PATH)).withRequestBody(equalToJson(
                    "{\"name\":\"web\",\"patch\":\"{\\\"spec\\\":{\\\"syncPolicy\\\":{\\\"automated\\\":null}}}\",\"patchType\":\"merge\"}",
                    false, true)));
            argoServer.verify(1, postRequestedFor(urlPathEqualTo(APP_PATH + "/rollback")).withRequestBody(equalToJson(
                    "{\"name\":\"web\",\"id\":1,\"dryRun\":false,\"prune\":false}", false, true)));

            // The cluster runs revision 1 again, and no crash-looping pod is left.
            AppsV1Api apps = new AppsV1Api(client);
            Await.until(Duration.ofSeconds(20), () -> {
                controller.reconcileOnce();
                return crashLooping(client).isEmpty();
            }, "the crash-looping pods of revision 2 to go");
            V1Deployment d = apps.readNamespacedDeployment("web", NS).execute();
            assertEquals("registry.example.com/web:1.0", d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());

            // The next sweeps resolve both incidents (verification wants verification.stable_observations healthy looks).
            List<String> resolved = List.of();
            for (int sweep = 0; sweep < 3 && !(resolved.contains(crash.incident().id())
                    && resolved.contains(degraded.incident().id())); sweep++) {
                argo.apps().refresh();
                engine.runOnce();
                resolved = audit.withStep("resolved").stream().map(AuditRecord::incidentId).toList();
            }
            assertTrue(resolved.contains(crash.incident().id()), resolved.toString());
            assertTrue(resolved.contains(degraded.incident().id()), resolved.toString());
            assertEquals(List.of(), live.calls);
            assertEquals(List.of(), new ArgoStubSpec(argoServer).problems(), "the e2e exchanges follow the swagger");
        }
    }

    private static IncidentReport report(List<IncidentReport> handled, String type) {
        return handled.stream().filter(r -> r.incident().type().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " incident among " + handled.stream()
                        .map(r -> r.incident().type() + " " + r.incident().rootResource()).toList()));
    }

    private static List<String> crashLooping(ApiClient client) {
        try {
            return new CoreV1Api(client).listNamespacedPod(NS).execute().getItems().stream()
                    .filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null
                            && p.getStatus().getContainerStatuses().stream().anyMatch(c -> c.getState() != null
                            && c.getState().getWaiting() != null && "CrashLoopBackOff".equals(c.getState().getWaiting().getReason())))
                    .map(V1Pod::getMetadata).map(V1ObjectMeta::getName).toList();
        } catch (ApiException e) {
            throw new AssertionError(e);
        }
    }

    /** Argo CD tracks the Deployment with its label and its tracking-id annotation. */
    private static void markManagedByArgo(ApiClient client, V1Deployment created) throws ApiException {
        AppsV1Api apps = new AppsV1Api(client);
        V1Deployment d = apps.readNamespacedDeployment(created.getMetadata().getName(), NS).execute();
        Map<String, String> labels = new LinkedHashMap<>(d.getMetadata().getLabels() == null ? Map.of() : d.getMetadata().getLabels());
        labels.put("app.kubernetes.io/instance", "web");
        Map<String, String> ann = new LinkedHashMap<>(d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations());
        ann.put(ArgoCdConfig.TRACKING_ID_ANNOTATION, "web:apps/Deployment:" + NS + "/web");
        d.getMetadata().labels(labels).annotations(ann);
        apps.replaceNamespacedDeployment("web", NS, d).execute();
    }

    /**
     * The Argo CD stub: the application before the deploy (GOOD, Healthy), after it (BAD, Degraded), and
     * after the rollback, which its "controller" carries out on the cluster: the Deployment's template goes
     * back to revision 1's, as an Argo CD sync of GOOD would apply it.
     */
    private void startArgo(ApiClient client, Instant now) {
        ServeEventListener argoController = new ServeEventListener() {
            @Override
            public String getName() {
                return "argocd-controller";
            }

            @Override
            public void beforeResponseSent(ServeEvent event, Parameters parameters) {
                if (event.getRequest().getMethod().getName().equals("POST")
                        && event.getRequest().getUrl().startsWith(APP_PATH + "/rollback")) {
                    applyRevisionOne(client);
                    argoServer.setScenarioState("app", "rolled-back");
                }
            }
        };
        argoServer = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                .extensions(argoController));
        argoServer.start();

        String deployedGood = now.minus(Duration.ofHours(2)).toString();
        String deployedBad = now.minus(Duration.ofMinutes(6)).toString();
        ArgoStub.App healthy = app("web").autoSync(true).sync("Synced", GOOD)
                .history(1, GOOD, deployedGood, "alice")
                .resource("Deployment", NS, "web", "Synced", "Healthy");
        ArgoStub.App broken = app("web").autoSync(true).sync("Synced", BAD)
                .health("Degraded", "Deployment \"web\" has pods in CrashLoopBackOff", now.minus(Duration.ofMinutes(5)).toString())
                .history(1, GOOD, deployedGood, "alice").history(2, BAD, deployedBad, "bob")
                .resource("Deployment", NS, "web", "Synced", "Degraded")
                .operation("Succeeded", BAD, "successfully synced (all tasks run)", deployedBad, deployedBad);
        ArgoStub.App rolledBack = app("web").sync("OutOfSync", BAD)
                .history(1, GOOD, deployedGood, "alice").history(2, BAD, deployedBad, "bob")
                .history(3, GOOD, now.toString(), "kube-incident")
                .resource("Deployment", NS, "web", "OutOfSync", "Healthy")
                .operation("Succeeded", GOOD, "successfully synced (all tasks run)", now.toString(), now.toString());
        Map<String, ArgoStub.App> states = Map.of(Scenario.STARTED, healthy, "degraded", broken, "rolled-back", rolledBack);
        states.forEach((state, body) -> {
            argoServer.stubFor(get(urlPathEqualTo("/api/v1/applications")).inScenario("app").whenScenarioStateIs(state)
                    .willReturn(json(200, ArgoStub.list(body))));
            argoServer.stubFor(get(urlPathEqualTo(APP_PATH)).inScenario("app").whenScenarioStateIs(state)
                    .willReturn(json(200, body)));
        });
        argoServer.stubFor(patch(urlPathEqualTo(APP_PATH)).willReturn(json(200, broken)));
        argoServer.stubFor(post(urlPathEqualTo(APP_PATH + "/rollback")).willReturn(json(200, broken)));
    }

    /** What syncing GOOD does to the cluster: the Deployment's pod template becomes revision 1's again. */
    private static void applyRevisionOne(ApiClient client) {
        try {
            AppsV1Api apps = new AppsV1Api(client);
            V1Deployment d = apps.readNamespacedDeployment("web", NS).execute();
            V1ReplicaSet first = apps.listNamespacedReplicaSet(NS).execute().getItems().stream()
                    .filter(rs -> "1".equals(rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision")))
                    .findFirst().orElseThrow();
            V1PodTemplateSpec t = JSON.deserialize(JSON.serialize(first.getSpec().getTemplate()), V1PodTemplateSpec.class);
            Map<String, String> labels = new LinkedHashMap<>(t.getMetadata().getLabels());
            labels.remove("pod-template-hash");
            t.getMetadata().setLabels(labels);
            d.getSpec().setTemplate(t);
            apps.replaceNamespacedDeployment("web", NS, d).execute();
        } catch (ApiException e) {
            throw new IllegalStateException("applying revision 1 failed: " + e.getCode() + " " + e.getResponseBody(), e);
        }
    }

    private static ProviderContext providerContext(ConfigView config) {
        return new ProviderContext() {
            public ConfigView config() {
                return config;
            }

            public Optional<ApiClient> apiClient() {
                return Optional.empty();
            }

            public Clock clock() {
                return Clock.systemUTC();
            }

            public ClusterView cluster() {
                return new FakeCluster();
            }

            public OutcomeHistory outcomes() {
                return OutcomeHistory.none();
            }
        };
    }

    /** Checks the stub's journal against the swagger, like {@link ArgoStub#specProblems}. */
    private static final class ArgoStubSpec {
        private final WireMockServer server;

        ArgoStubSpec(WireMockServer server) {
            this.server = server;
        }

        List<String> problems() {
            SwaggerSpec spec = SwaggerSpec.load();
            List<String> problems = new java.util.ArrayList<>();
            for (ServeEvent e : server.getAllServeEvents()) {
                okhttp3.HttpUrl u = okhttp3.HttpUrl.get("http://127.0.0.1:" + server.port() + e.getRequest().getUrl());
                Map<String, List<String>> query = new LinkedHashMap<>();
                for (String name : u.queryParameterNames()) query.put(name, u.queryParameterValues(name));
                String method = e.getRequest().getMethod().getName();
                problems.addAll(spec.checkRequest(method, u.encodedPath(), query, e.getRequest().getBodyAsString()));
                if (e.getResponse() != null) {
                    problems.addAll(spec.checkResponse(method, u.encodedPath(), e.getResponse().getStatus(),
                            e.getResponse().getBodyAsString()));
                }
            }
            return problems;
        }
    }
}

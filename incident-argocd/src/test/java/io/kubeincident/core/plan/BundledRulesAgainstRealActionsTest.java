package io.kubeincident.core.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.EventSummary;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.LogExcerpt;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.RolloutRevision;
import io.kubeincident.api.Severity;
import io.kubeincident.core.discovery.ProviderDiscovery;
import io.kubeincident.core.exec.EngineContexts;
import io.kubeincident.core.monitor.ObjectIndex;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.AnalyzerProvider;
import io.kubeincident.spi.OutcomeHistory;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundled rules of incident-rules against the actions really registered through
 * {@link RemediationActionProvider}: every action a bundled rule proposes for a realistic incident must be
 * registered, accept its target's kind and carry parameters its real schema accepts, with nothing dropped
 * on the way. incident-rules tests its rules against a copy of the catalog; this is where the copy and the
 * real actions meet. It lives in incident-argocd's tests because only here are all three on the class path:
 * the rules, core's built-in actions and the Argo CD actions, so every case runs and none is skipped.
 */
class BundledRulesAgainstRealActionsTest {

    private static final Instant OPENED = Instant.parse("2025-03-01T10:00:00Z");
    /** Argo CD configured, so that its action providers register their actions as they do in a host. */
    private static final ProviderContext CONTEXT = new EngineContexts.Provider(
            ConfigView.of(Map.of("argocd.server_url", "https://argocd.example.com", "argocd.token", "t")), Optional.empty(),
            Clock.fixed(OPENED, ZoneOffset.UTC), () -> new ObjectIndex(List.of()), OutcomeHistory.none());
    private static final String BUNDLED_RULES = "io/kubeincident/rules/bundled-rules.yaml";

    private static Map<String, RemediationAction> actions;
    private static List<ActionDescriptor> catalog;
    private static Analyzer rules;
    /** Rule id to the action types it proposes, read from the bundled file itself. */
    private static Map<String, Set<String>> ruleActions;

    @BeforeAll
    static void loadTheRealThing() throws IOException {
        List<String> problems = new ArrayList<>();
        ProviderDiscovery.ProblemReporter reporter = (type, provider, problem) -> problems.add(provider + ": " + problem);
        ClassLoader loader = BundledRulesAgainstRealActionsTest.class.getClassLoader();
        actions = new TreeMap<>();
        for (RemediationAction a : ProviderDiscovery.load(RemediationActionProvider.class, loader, CONTEXT,
                RemediationActionProvider::enabled, RemediationActionProvider::create, reporter)) {
            actions.put(a.id(), a);
        }
        catalog = actions.values().stream().map(RemediationAction::descriptor).toList();
        rules = ProviderDiscovery.load(AnalyzerProvider.class, loader, CONTEXT, AnalyzerProvider::enabled,
                AnalyzerProvider::create, reporter).stream().filter(a -> a.id().equals("rules")).findFirst().orElse(null);
        assertTrue(problems.isEmpty(), "providers that failed to load: " + problems);
        assertNotNull(rules, "the rules analyzer is not found through AnalyzerProvider");

        ruleActions = new LinkedHashMap<>();
        try (InputStream in = loader.getResourceAsStream(BUNDLED_RULES)) {
            assertNotNull(in, BUNDLED_RULES + " is not on the class path");
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
            for (JsonNode r : root.get("rules")) {
                Set<String> types = new TreeSet<>();
                if (r.has("actions")) r.get("actions").forEach(a -> types.add(a.get("type").asText()));
                ruleActions.put(r.get("id").asText(), types);
            }
        }
    }

    @Test
    void theBuiltInActionsAreAllRegistered() {
        Set<String> builtIn = Set.of(ActionTypes.RESTART_POD, ActionTypes.ROLLOUT_RESTART, ActionTypes.SCALE,
                ActionTypes.ROLLBACK_DEPLOYMENT, ActionTypes.ADJUST_RESOURCES, ActionTypes.PATCH_CONFIGMAP,
                ActionTypes.PATCH_SECRET, ActionTypes.CORDON_NODE, ActionTypes.DRAIN_NODE);
        assertTrue(actions.keySet().containsAll(builtIn), "registered: " + actions.keySet());
    }

    /** Every bundled rule that proposes actions has a case below, and every action it proposes is registered. */
    @Test
    void everyRuleThatProposesRegisteredActionsIsExercised() {
        Set<String> exercised = new TreeSet<>();
        cases().forEach(c -> exercised.add(c.rule));
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : ruleActions.entrySet()) {
            if (e.getValue().isEmpty()) continue;
            assertTrue(actions.keySet().containsAll(e.getValue()), e.getKey() + " proposes unregistered actions " + e.getValue());
            if (!exercised.contains(e.getKey())) missing.add(e.getKey() + " " + e.getValue());
        }
        assertTrue(missing.isEmpty(), "bundled rules proposing actions without a case here: " + missing);
        Set<String> unknown = new TreeSet<>(exercised);
        unknown.removeAll(ruleActions.keySet());
        assertTrue(unknown.isEmpty(), "cases name rules that are not bundled: " + unknown);
    }

    @TestFactory
    Stream<DynamicTest> proposalsFitTheRealActions() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.rule + ": " + c.name, () -> check(c)));
    }

    private static void check(Case c) {
        Set<String> declared = ruleActions.get(c.rule);
        assertNotNull(declared, "no bundled rule " + c.rule);
        assertTrue(actions.keySet().containsAll(declared),
                () -> c.rule + " proposes " + declared + ", not all registered (" + actions.keySet() + ")");
        AnalysisRequest request = new AnalysisRequest(c.incident(), c.evidence(), catalog);
        AnalysisOutcome outcome = rules.analyze(request);
        Diagnosis d = assertInstanceOf(AnalysisOutcome.Diagnosed.class, outcome, () -> "outcome: " + outcome).diagnosis();
        String context = "\nrule: " + d.attributes().get("rule") + "\nreasoning: " + d.reasoning() + "\nactions: " + d.actions();
        assertEquals(c.rule, d.attributes().get("rule"), "the case must trigger its rule" + context);
        assertNull(d.attributes().get("droppedParameters"), "parameters the real action does not accept" + context);
        assertNull(d.attributes().get("skippedActions"), "actions the rule could not propose" + context);
        assertEquals(declared, new TreeSet<>(d.actions().stream().map(ProposedAction::actionType).toList()),
                "the rule's actions are all proposed" + context);

        ParameterValidator validator = new ParameterValidator();
        for (ProposedAction p : d.actions()) {
            RemediationAction action = actions.get(p.actionType());
            assertTrue(action.targetKinds().contains(p.target().kind()),
                    p.actionType() + " does not accept " + p.target() + " (accepts " + action.targetKinds() + ")" + context);
            assertTrue(request.incident().involves(p.target()), "target outside the incident: " + p + context);
            List<String> problems = validator.validate(p.actionType(), action.parametersSchema(), p.parameters());
            assertTrue(problems.isEmpty(), p.actionType() + " " + p.parameters() + ": " + problems + context);
            for (String name : p.parameters().keySet()) {
                assertTrue(properties(p.actionType()).contains(name), p.actionType() + " does not declare parameter " + name + context);
            }
        }
        c.expect.accept(d);
    }

    private static ProposedAction only(Diagnosis d, String type) {
        List<ProposedAction> found = d.actions().stream().filter(a -> a.actionType().equals(type)).toList();
        assertEquals(1, found.size(), type + " in " + d.actions());
        return found.get(0);
    }

    /** A rollback goes to the revision before the bad one, under the name the real action reads. */
    private static Consumer<Diagnosis> rollsBackTo(long revision) {
        return d -> {
            // the name matters as much as the value: a name the schema does not declare would be dropped and the
            // action would roll back to its default, the previous revision, which may not be the healthy one
            assertTrue(properties(ActionTypes.ROLLBACK_DEPLOYMENT).contains("toRevision"));
            assertEquals(Map.of("toRevision", revision), only(d, ActionTypes.ROLLBACK_DEPLOYMENT).parameters());
        };
    }

    private static Consumer<Diagnosis> raisesMemory(String container, double factor) {
        return d -> assertEquals(Map.of("container", container, "resource", "memory", "factor", factor),
                only(d, ActionTypes.ADJUST_RESOURCES).parameters());
    }

    private static Consumer<Diagnosis> nothingMore() {
        return d -> {
        };
    }

    private static Set<String> properties(String type) {
        Object p = actions.get(type).parametersSchema().get("properties");
        return p instanceof Map<?, ?> m ? new TreeSet<>(m.keySet().stream().map(String::valueOf).toList()) : Set.of();
    }

    // ---- the incidents ---------------------------------------------------------------------------------

    private static List<Case> cases() {
        List<Case> all = new ArrayList<>();
        // crash-loop
        all.add(crash("crash-loop-after-rollout", "crash loop four minutes after a rollout, previous revision still serving")
                .revision(12, "registry.example.com/shop/checkout:2.5.0", 4, 0, true)
                .revision(11, "registry.example.com/shop/checkout:2.4.3", 2_000, 3, false)
                .expect(rollsBackTo(11)));
        all.add(crash("crash-loop-after-rollout-unverified", "crash loop after a rollout, old pods already gone")
                .revision(12, "registry.example.com/shop/checkout:2.5.0", 4, 0, true)
                .revision(11, "registry.example.com/shop/checkout:2.4.3", 2_000, 0, false)
                .expect(rollsBackTo(11)));
        all.add(crash("crash-loop-oom-killed", "crash loop whose last termination is an OOM kill")
                .findingFacts(Map.of("terminatedReason", "OOMKilled", "exitCode", "137", "memoryLimit", "512Mi"))
                .expect(raisesMemory("checkout", 1.5)));
        all.add(crash("crash-loop-app-out-of-memory", "JVM heap exhaustion in the previous container's log")
                .findingFacts(Map.of("memoryLimit", "1Gi"))
                .log("2025-03-01T09:58:01Z Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space")
                .expect(raisesMemory("checkout", 1.5)));
        all.add(crash("crash-loop-unexplained", "crash loop without a recent change or a visible cause")
                .fact("rolloutRecent", "false")
                .expect(d -> assertEquals("Pod", only(d, ActionTypes.RESTART_POD).target().kind())));
        // image-pull
        all.add(pull("image-pull-after-rollout", "new tag does not exist, previous revision healthy")
                .facts(rollout("5", "4", "true"))
                .expect(rollsBackTo(4)));
        all.add(pull("image-pull-after-rollout-unverified", "new tag does not exist, previous health unknown")
                .facts(rollout("5", "4", null))
                .expect(rollsBackTo(4)));
        // oom-killed
        all.add(oom("oom-killed-after-rollout", "OOM kills since the last rollout")
                .facts(rollout("21", "20", "true"))
                .expect(rollsBackTo(20)));
        all.add(oom("oom-killed-repeated", "five OOM kills at 512Mi")
                .expect(raisesMemory("search", 1.5)));
        all.add(oom("oom-killed-repeated", "repeated OOM kills at 3Gi, close to the rules' cap")
                .findingFacts(Map.of("memoryLimit", "3Gi"))
                .expect(raisesMemory("search", 1.33)));
        all.add(oom("oom-killed-memory-leak", "OOM kills after the working set rose steadily for hours (Prometheus)")
                .fact("memoryTrend", "rising-steadily").fact("memorySlope", "+64Mi/h over 6.0h (fit 0.99)")
                .expect(raisesMemory("search", 1.5)));
        all.add(oom("oom-killed-memory-spike", "an OOM kill at a sudden spike over a steady working set (Prometheus)")
                .fact("memoryTrend", "sudden-spike")
                .expect(raisesMemory("search", 1.5)));
        all.add(oom("oom-killed-once", "a single OOM kill")
                .findingFacts(Map.of("restartCount", "1"))
                .expect(raisesMemory("search", 1.5)));
        // container-config-error
        all.add(new Case("config-error-after-rollout", "missing ConfigMap key since the last rollout",
                "container-config-error", ResourceRef.of("Deployment", "shop", "payments"))
                .resource(ResourceRef.of("Pod", "shop", "payments-84d5f6c7b8-zt9pl"))
                .finding("Pod shop/payments-84d5f6c7b8-zt9pl cannot create container payments", Map.of(
                        "container", "payments", "waitingReason", "CreateContainerConfigError",
                        "message", "couldn't find key DB_HOST in ConfigMap shop/payments-config"))
                .facts(rollout("3", "2", "true"))
                .expect(rollsBackTo(2)));
        // unschedulable
        all.add(new Case("unschedulable-after-rollout", "new revision requests more memory than any node has",
                "unschedulable", ResourceRef.of("Deployment", "shop", "analytics"))
                .resource(ResourceRef.of("Pod", "shop", "analytics-7b9c5d6f8-m2n4p"))
                .finding("Pod shop/analytics-7b9c5d6f8-m2n4p has been unschedulable for 6m", Map.of(
                        "reason", "Unschedulable", "requestedMemory", "24Gi",
                        "message", "0/5 nodes are available: 5 Insufficient memory. preemption: 0/5 nodes are available: "
                                + "5 No preemption victims found for incoming pod."))
                .facts(rollout("6", "5", "true"))
                .expect(rollsBackTo(5)));
        // readiness-failing
        all.add(unready("readiness-after-rollout", "pods of the new revision never get ready")
                .facts(rollout("31", "30", "true"))
                .expect(rollsBackTo(30)));
        all.add(unready("readiness-after-rollout-unverified", "unready after a rollout, previous health unknown")
                .facts(rollout("31", "30", null))
                .expect(rollsBackTo(30)));
        all.add(unready("readiness-generic", "unready without a visible cause")
                .fact("rolloutRecent", "false")
                .expect(d -> assertEquals("Pod", only(d, ActionTypes.RESTART_POD).target().kind())));
        // rollout-stuck
        all.add(stuckRollout("rollout-stuck-healthy-previous", "progress deadline exceeded, previous revision serving")
                .fact("previousRevisionHealthy", "true")
                .expect(rollsBackTo(7)));
        all.add(stuckRollout("rollout-stuck-unverified", "progress deadline exceeded, previous health unknown")
                .expect(rollsBackTo(7)));
        // replica-failure
        all.add(new Case("replica-failure-after-rollout", "Pod Security rejects the new revision's pods",
                "replica-failure", ResourceRef.of("Deployment", "shop", "ledger"))
                .resource(ResourceRef.of("ReplicaSet", "shop", "ledger-7c8d9e6f5"))
                .findingOn(ResourceRef.of("ReplicaSet", "shop", "ledger-7c8d9e6f5"), "ReplicaSet shop/ledger-7c8d9e6f5 cannot create pods",
                        Map.of("reason", "FailedCreate", "message", "pods \"ledger-7c8d9e6f5-9xk2q\" is forbidden: violates "
                                + "PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false"))
                .facts(rollout("4", "3", "true"))
                .expect(rollsBackTo(3)));
        // workload-unavailable
        all.add(new Case("workload-unavailable-after-rollout", "Deployment without available replicas since a rollout",
                "workload-unavailable", ResourceRef.of("Deployment", "shop", "api"))
                .findingOn(ResourceRef.of("Deployment", "shop", "api"), "Deployment shop/api has 0/4 available replicas", Map.of())
                .facts(rollout("15", "14", "true"))
                .expect(rollsBackTo(14)));
        // node-not-ready
        all.add(node("node-network-unavailable", "node whose pod network is down")
                .fact("condition.Ready", "False").fact("condition.NetworkUnavailable", "True")
                .expect(nothingMore()));
        all.add(node("node-unreachable-with-workloads", "kubelet stopped posting status, pods still bound")
                .expect(nothingMore()));
        all.add(node("node-not-ready-with-workloads", "PLEG not healthy, pods still bound")
                .fact("condition.Ready", "False")
                .fact("condition.Ready.message", "PLEG is not healthy: pleg was last seen active 3m12s ago")
                .expect(nothingMore()));
        all.add(new Case("node-not-ready-empty", "NotReady node without pods", "node-not-ready", ResourceRef.cluster("Node", "worker-5"))
                .findingOn(ResourceRef.cluster("Node", "worker-5"), "Node worker-5 is NotReady", Map.of("reason", "NodeNotReady"))
                .fact("condition.Ready", "False")
                .expect(nothingMore()));
        all.add(node("node-not-ready-generic", "NotReady without its conditions in the evidence")
                .fact("condition.Ready", "")
                .expect(nothingMore()));
        // node-problem: a node-problem-detector condition that needs a reboot; cordon for approval
        all.add(new Case("node-kernel-or-filesystem-broken", "node with a read-only root filesystem", "node-problem",
                ResourceRef.cluster("Node", "worker-6"))
                .findingOn(ResourceRef.cluster("Node", "worker-6"), "node worker-6 reports ReadonlyFilesystem", Map.of(
                        "nodeName", "worker-6", "problem", "ReadonlyFilesystem", "knownProblem", "true",
                        "reason", "FilesystemIsReadOnly", "message", "Node condition ReadonlyFilesystem is now: True",
                        "podCount", "9"))
                .expect(nothingMore()));
        // hpa-maxed: scaling by hand would fight the autoscaler, so no scale is proposed
        all.add(new Case("hpa-at-max", "autoscaler at maxReplicas with load above target", "hpa-maxed",
                ResourceRef.of("HorizontalPodAutoscaler", "shop", "web"))
                .resource(ResourceRef.of("Deployment", "shop", "web"))
                .findingOn(ResourceRef.of("HorizontalPodAutoscaler", "shop", "web"), "HorizontalPodAutoscaler shop/web is at maxReplicas",
                        Map.of("reason", "TooManyReplicas", "maxReplicas", "10", "currentMetric", "182% cpu",
                                "targetMetric", "70% cpu", "message", "the desired replica count is more than the maximum replica count"))
                .expect(d -> assertTrue(d.actions().isEmpty(), d.actions().toString())));
        // evicted: the memory eviction explains and proposes nothing adjust-resources cannot do
        all.add(new Case("evicted-memory", "evicted while the node was low on memory", "evicted",
                ResourceRef.of("Deployment", "shop", "reports"))
                .resource(ResourceRef.of("Pod", "shop", "reports-6f7d8c9b5-h3j4k"))
                .finding("Pod shop/reports-6f7d8c9b5-h3j4k was evicted", Map.of("reason", "Evicted", "nodeName", "worker-2",
                        "message", "The node was low on resource: memory. Threshold quantity: 100Mi, available: 87Mi. "
                                + "Container reports was using 1843Mi, which exceeds its request of 256Mi."))
                .expect(d -> assertTrue(d.actions().isEmpty(), d.actions().toString())));
        // argocd-degraded: only where the Argo CD actions are registered
        all.add(argo("argocd-degraded-after-sync", "degraded since the latest sync, previous revision healthy")
                .fact("rolloutRecent", "true").fact("previousRevisionHealthy", "true").fact("minutesSinceRollout", "6")
                .expect(nothingMore()));
        all.add(argo("argocd-missing-resources", "the application's resources are gone")
                .fact("argocdHealth", "Missing")
                .expect(nothingMore()));
        all.add(argo("argocd-out-of-sync", "degraded and out of sync")
                .fact("argocdSyncStatus", "OutOfSync")
                .expect(nothingMore()));
        return all;
    }

    private static Map<String, String> rollout(String current, String previous, String previousHealthy) {
        Map<String, String> m = new LinkedHashMap<>(Map.of("rolloutRecent", "true", "minutesSinceRollout", "4",
                "currentRevision", current, "previousRevision", previous));
        if (previousHealthy != null) m.put("previousRevisionHealthy", previousHealthy);
        return m;
    }

    private static Case crash(String rule, String name) {
        ResourceRef pod = ResourceRef.of("Pod", "shop", "checkout-7d9f8c6b5-x2x7q");
        return new Case(rule, name, "crash-loop", ResourceRef.of("Deployment", "shop", "checkout"))
                .resource(ResourceRef.of("ReplicaSet", "shop", "checkout-7d9f8c6b5")).resource(pod)
                // the facts incident-core's CrashLoopDetector writes
                .finding("Pod shop/checkout-7d9f8c6b5-x2x7q is in CrashLoopBackOff", Map.of("container", "checkout",
                        "waitingReason", "CrashLoopBackOff", "restartCount", "6", "image", "registry.example.com/shop/checkout:2.5.0",
                        "exitCode", "1", "terminatedReason", "Error"))
                .event("Warning", "BackOff", "Back-off restarting failed container checkout in pod checkout-7d9f8c6b5-x2x7q_shop", 23);
    }

    private static Case pull(String rule, String name) {
        return new Case(rule, name, "image-pull", ResourceRef.of("Deployment", "shop", "frontend"))
                .resource(ResourceRef.of("Pod", "shop", "frontend-6c5b7d9f4-k8s2m"))
                .finding("Pod shop/frontend-6c5b7d9f4-k8s2m cannot pull its image", Map.of("container", "frontend",
                        "waitingReason", "ImagePullBackOff", "image", "registry.example.com/shop/frontend:3.1.0",
                        "message", "Back-off pulling image \"registry.example.com/shop/frontend:3.1.0\""))
                .event("Warning", "Failed", "Failed to pull image \"registry.example.com/shop/frontend:3.1.0\": rpc error: "
                        + "code = NotFound desc = registry.example.com/shop/frontend:3.1.0: not found", 7);
    }

    private static Case oom(String rule, String name) {
        return new Case(rule, name, "oom-killed", ResourceRef.of("Deployment", "shop", "search"))
                .resource(ResourceRef.of("Pod", "shop", "search-5f6d7c8b9-q4w2e"))
                .finding("Container search of pod shop/search-5f6d7c8b9-q4w2e was OOM-killed", Map.of("container", "search",
                        "terminatedReason", "OOMKilled", "exitCode", "137", "restartCount", "5", "memoryLimit", "512Mi",
                        "nodeName", "worker-3"))
                .fact("rolloutRecent", "false");
    }

    private static Case unready(String rule, String name) {
        return new Case(rule, name, "readiness-failing", ResourceRef.of("Deployment", "shop", "catalog"))
                .resource(ResourceRef.of("Pod", "shop", "catalog-5c8d9e7f6-r7t2y"))
                .finding("Pod shop/catalog-5c8d9e7f6-r7t2y has been running but not ready for 9m",
                        Map.of("container", "catalog", "reason", "ReadinessProbeFailing", "restartCount", "0"));
    }

    private static Case stuckRollout(String rule, String name) {
        ResourceRef deployment = ResourceRef.of("Deployment", "shop", "orders");
        return new Case(rule, name, "rollout-stuck", deployment)
                .resource(ResourceRef.of("ReplicaSet", "shop", "orders-5d6f7c8b9"))
                .findingOn(deployment, "Deployment shop/orders exceeded its progress deadline", Map.of(
                        "reason", "ProgressDeadlineExceeded", "message", "ReplicaSet \"orders-5d6f7c8b9\" has timed out progressing."))
                .facts(Map.of("rolloutRecent", "true", "minutesSinceRollout", "12", "currentRevision", "8", "previousRevision", "7"));
    }

    private static Case node(String rule, String name) {
        ResourceRef node = ResourceRef.cluster("Node", "worker-2");
        return new Case(rule, name, "node-not-ready", node)
                .resource(ResourceRef.of("Pod", "shop", "checkout-7d9f8c6b5-x2x7q"))
                .resource(ResourceRef.of("Pod", "shop", "cart-5b6c7d8e9-p0o9i"))
                .findingOn(node, "Node worker-2 is NotReady", Map.of("reason", "NodeNotReady"))
                .fact("condition.Ready", "Unknown").fact("condition.Ready.message", "Kubelet stopped posting node status.");
    }

    private static Case argo(String rule, String name) {
        ResourceRef app = ResourceRef.of("Application", "argocd", "shop");
        return new Case(rule, name, "argocd-degraded", app)
                .resource(ResourceRef.of("Deployment", "shop", "checkout"))
                .findingOn(app, "Argo CD application shop is Degraded", Map.of())
                .facts(Map.of("argocdApp", "shop", "argocdNamespace", "argocd", "argocdSyncStatus", "Synced",
                        "argocdHealth", "Degraded", "currentRevision", "9f1c2ab", "previousRevision", "77d0e41"));
    }

    /** One incident as the engine hands it to the analyzers, and what the rule must make of it. */
    private static final class Case {
        final String rule;
        final String name;
        final String type;
        final ResourceRef root;
        final List<ResourceRef> resources = new ArrayList<>();
        final List<Finding> findings = new ArrayList<>();
        final List<EventSummary> events = new ArrayList<>();
        final List<String> logLines = new ArrayList<>();
        final List<RolloutRevision> rollout = new ArrayList<>();
        final Map<String, String> facts = new LinkedHashMap<>();
        Consumer<Diagnosis> expect = nothingMore();

        Case(String rule, String name, String type, ResourceRef root) {
            this.rule = rule;
            this.name = name;
            this.type = type;
            this.root = root;
            resources.add(root);
        }

        Case resource(ResourceRef r) {
            resources.add(r);
            return this;
        }

        /** A finding on the incident's first Pod. */
        Case finding(String message, Map<String, String> findingFacts) {
            ResourceRef pod = resources.stream().filter(r -> r.kind().equals("Pod")).findFirst().orElseThrow();
            return findingOn(pod, message, findingFacts);
        }

        Case findingOn(ResourceRef on, String message, Map<String, String> findingFacts) {
            findings.add(new Finding("test-detector", type, Severity.HIGH, on, message, findingFacts, OPENED.minusSeconds(120)));
            return this;
        }

        /** Overrides facts of the first finding. */
        Case findingFacts(Map<String, String> more) {
            Finding f = findings.remove(0);
            Map<String, String> merged = new LinkedHashMap<>(f.facts());
            merged.putAll(more);
            findings.add(0, new Finding(f.detectorId(), f.incidentType(), f.severity(), f.resource(), f.message(), merged,
                    f.observedAt()));
            return this;
        }

        Case fact(String key, String value) {
            facts.put(key, value);
            return this;
        }

        Case facts(Map<String, String> more) {
            facts.putAll(more);
            return this;
        }

        Case event(String eventType, String reason, String message, int count) {
            events.add(new EventSummary(eventType, reason, message, count, OPENED.minusSeconds(600), OPENED, root));
            return this;
        }

        Case log(String line) {
            logLines.add(line);
            return this;
        }

        Case revision(long revision, String image, long minutesAgo, int ready, boolean current) {
            rollout.add(new RolloutRevision(revision, ResourceRef.of("ReplicaSet", root.namespace(), root.name() + "-r" + revision),
                    List.of(image), OPENED.minus(Duration.ofMinutes(minutesAgo)), ready, current));
            return this;
        }

        Case expect(Consumer<Diagnosis> check) {
            this.expect = check;
            return this;
        }

        Incident incident() {
            return new Incident("inc-" + Math.abs((rule + name).hashCode()), type + ":" + root.key(), type, Severity.HIGH,
                    root, resources, findings, IncidentState.OPEN, OPENED, OPENED);
        }

        Evidence evidence() {
            List<LogExcerpt> logs = new ArrayList<>();
            if (!logLines.isEmpty()) {
                Finding f = findings.get(0);
                logs.add(new LogExcerpt(f.resource(), f.fact("container"), true, logLines, false));
            }
            List<RolloutRevision> newestFirst = new ArrayList<>(rollout);
            newestFirst.sort((a, b) -> Long.compare(b.revision(), a.revision()));
            // a fact set to "" stands for one the evidence does not have
            Map<String, String> present = new LinkedHashMap<>(facts);
            present.values().removeIf(String::isEmpty);
            return new Evidence(events, logs, List.of(root), newestFirst, present, List.of());
        }
    }
}

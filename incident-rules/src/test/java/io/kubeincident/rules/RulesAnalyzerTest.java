package io.kubeincident.rules;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.OutcomeRecord;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.OutcomeHistory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the analyzer turns a matched rule into a diagnosis: availability, targets, parameters, rollout facts, storms. */
class RulesAnalyzerTest {

    private final RulesAnalyzer analyzer = new RulesAnalyzer();

    @Test
    void isTheLowestPriorityAnalyzerWithAStableId() {
        assertEquals("rules", analyzer.id());
        assertEquals(0, analyzer.priority());
    }

    @Test
    void proposesOnlyAvailableActions() {
        List<ActionDescriptor> noRollback = TestIncidents.builtInActions().stream()
                .filter(d -> !d.id().equals(ActionTypes.ROLLBACK_DEPLOYMENT)).toList();
        Diagnosis d = diagnose(afterRollout().actions(noRollback).request());
        assertEquals("crash-loop-after-rollout", d.attributes().get("rule"));
        assertTrue(d.actions().isEmpty(), d.actions().toString());
        assertTrue(d.reasoning().contains("rollback-deployment: action is not available here"), d.reasoning());
        assertTrue(d.reasoning().contains("a human should act"), d.reasoning());
        assertEquals("1", d.attributes().get("skippedActions"));
    }

    @Test
    void neverTargetsAResourceOutsideTheIncident() {
        // Rollout facts on a bare pod: there is no Deployment in the incident to roll back.
        Diagnosis d = diagnose(TestIncidents.incident("crash-loop", "Pod/default/lonely")
                .finding("Pod/default/lonely", "", Map.of("container", "app", "exitCode", "1"))
                .fact("rolloutRecent", "true").fact("previousRevisionHealthy", "true").fact("previousRevision", "3")
                .request());
        assertTrue(d.actions().isEmpty());
        assertTrue(d.reasoning().contains("no Deployment among the incident's resources"), d.reasoning());

        // A node named in the facts but not part of the incident is not a target either.
        KnowledgeBase kb = KnowledgeBase.builder().bundled(false).yaml("inline", """
                rules:
                  - id: cordon-from-fact
                    types: [crash-loop]
                    category: c
                    rootCause: r
                    actions:
                      - type: cordon-node
                        target: node
                """).build();
        Diagnosis n = diagnose(new RulesAnalyzer(kb, OutcomeHistory.none(), RulesConfig.defaults()), RuleLoadingTest.crashLoop()
                .fact("nodeName", "worker-9").request());
        assertTrue(n.actions().isEmpty());
        assertTrue(n.reasoning().contains("Node worker-9 is not part of the incident"), n.reasoning());
    }

    @Test
    void rolloutFactsAreDerivedFromTheRevisionHistoryWhenTheEvidenceLacksThem() {
        // Revision 12 rolled out 5 minutes before the incident; revision 11 still has 3 ready pods.
        Diagnosis d = diagnose(RuleLoadingTest.crashLoop()
                .revision(12, "registry.example.com/shop/checkout:2.5.0", 5L, 0, true)
                .revision(11, "registry.example.com/shop/checkout:2.4.3", 600L, 3, false)
                .request());
        assertEquals("crash-loop-after-rollout", d.attributes().get("rule"));
        ProposedAction rollback = d.actions().get(0);
        assertEquals(ActionTypes.ROLLBACK_DEPLOYMENT, rollback.actionType());
        assertEquals(11L, rollback.parameters().get("toRevision"));
        assertTrue(d.rootCause().contains("registry.example.com/shop/checkout:2.4.3"), d.rootCause());
        assertTrue(d.rootCause().contains("5 minutes ago"), d.rootCause());

        // Rolled out three hours ago: not "shortly before" with the default 30-minute window...
        Diagnosis old = diagnose(RuleLoadingTest.crashLoop()
                .revision(12, "checkout:2.5.0", 180L, 0, true)
                .revision(11, "checkout:2.4.3", 900L, 3, false).request());
        assertEquals("crash-loop-unexplained", old.attributes().get("rule"));
        // ...but it is with a 4-hour window.
        RulesConfig wide = new RulesConfig(null, null, true, Duration.ofHours(4), 4L << 30, 2);
        Diagnosis widened = diagnose(new RulesAnalyzer(KnowledgeBase.bundled(), OutcomeHistory.none(), wide),
                RuleLoadingTest.crashLoop().revision(12, "checkout:2.5.0", 180L, 0, true)
                        .revision(11, "checkout:2.4.3", 900L, 3, false).request());
        assertEquals("crash-loop-after-rollout", widened.attributes().get("rule"));

        // An old revision with no ready pods left says nothing about its health: ask for approval.
        Diagnosis unknown = diagnose(RuleLoadingTest.crashLoop()
                .revision(12, "checkout:2.5.0", 5L, 0, true)
                .revision(11, "checkout:2.4.3", 600L, 0, false).request());
        assertEquals("crash-loop-after-rollout-unverified", unknown.attributes().get("rule"));

        // Facts stated by the evidence win over derived ones.
        Diagnosis stated = diagnose(RuleLoadingTest.crashLoop().fact("previousRevisionHealthy", "false")
                .revision(12, "checkout:2.5.0", 5L, 0, true)
                .revision(11, "checkout:2.4.3", 600L, 3, false).request());
        assertEquals("crash-loop-generic", stated.attributes().get("rule"));
    }

    @Test
    void aStormOfThirtyPodsIsOneDiagnosisFromTheMostTellingFinding() {
        TestIncidents.Builder b = TestIncidents.incident("crash-loop", "Deployment/shop/checkout");
        for (int i = 0; i < 30; i++) {
            String pod = "Pod/shop/checkout-7d9f8c6b5-p" + i;
            b.resource(pod);
            Map<String, String> facts = new HashMap<>(Map.of("container", "checkout", "exitCode", "1",
                    "terminatedReason", "Error", "restartCount", "4"));
            if (i == 17) {
                facts.put("terminatedReason", "OOMKilled");
                facts.put("exitCode", "137");
                facts.put("memoryLimit", "256Mi");
            }
            b.finding(pod, "", facts);
        }
        Diagnosis d = diagnose(b.request());
        assertEquals("crash-loop-oom-killed", d.attributes().get("rule"));
        assertEquals("Pod/shop/checkout-7d9f8c6b5-p17", d.attributes().get("finding"));
        assertEquals(1, d.actions().size());
        assertEquals(Map.of("container", "checkout", "resource", "memory", "factor", 1.5), d.actions().get(0).parameters());
        assertTrue(d.actions().get(0).rationale().contains("256Mi to 384Mi"), d.actions().get(0).rationale());
        assertTrue(d.rootCause().contains("256Mi"), d.rootCause());
    }

    @Test
    void parametersAreFittedToTheActionSchema() {
        KnowledgeBase kb = KnowledgeBase.builder().bundled(false).yaml("inline", """
                rules:
                  - id: schema-fit
                    types: [crash-loop]
                    category: c
                    rootCause: r
                    actions:
                      - type: scale
                        target: root
                        parameters: {replicas: "{{restartCount}}"}
                      - type: scale
                        target: root
                        parameters: {}
                      - type: adjust-resources
                        target: workload
                        parameters: {container: "{{container}}", resource: memory, factor: "2", colour: blue}
                      - type: rollout-restart
                        target: root
                      - type: rollout-restart
                        target: root
                """).build();
        Diagnosis d = diagnose(new RulesAnalyzer(kb, OutcomeHistory.none(), RulesConfig.defaults()), RuleLoadingTest.crashLoop().request());
        Map<String, ProposedAction> byType = new HashMap<>();
        d.actions().forEach(a -> byType.putIfAbsent(a.actionType(), a));
        // "6" becomes the integer the schema asks for.
        assertEquals(6L, byType.get("scale").parameters().get("replicas"));
        // The schema forbids extra properties, so the unknown one is dropped, and said so; "2" becomes a number.
        assertEquals(Map.of("container", "checkout", "resource", "memory", "factor", 2.0), byType.get("adjust-resources").parameters());
        assertEquals("adjust-resources.colour", d.attributes().get("droppedParameters"));
        assertTrue(d.reasoning().contains("do not accept were left out: adjust-resources.colour"), d.reasoning());
        // The second scale lacks the required replicas and is not proposed; the duplicate restart is folded.
        assertEquals(List.of("scale", "adjust-resources", "rollout-restart"), d.actions().stream().map(ProposedAction::actionType).toList());
        assertTrue(d.reasoning().contains("requires parameter replicas"), d.reasoning());
    }

    @Test
    void missingFactsDegradeToLessSpecificRulesAndReadableText() {
        // A crash loop reported with no facts at all still gets a diagnosis, without template debris.
        Diagnosis d = diagnose(TestIncidents.incident("crash-loop", "Deployment/shop/checkout").request());
        assertEquals("crash-loop-unexplained", d.attributes().get("rule"));
        assertTrue(!d.rootCause().contains("{{") && !d.rootCause().contains("[["), d.rootCause());
        // No pod in the incident: the restart has no target and says so.
        assertTrue(d.actions().isEmpty());
        assertTrue(d.reasoning().contains("no Pod among the incident's resources"), d.reasoning());
    }

    @Test
    void aFailingDependencyBecomesAFailedOutcomeNotAnException() {
        OutcomeHistory broken = new OutcomeHistory() {
            public void record(OutcomeRecord outcome) {
            }

            public List<OutcomeRecord> find(String incidentType, String actionType) {
                throw new IllegalStateException("store offline");
            }

            public List<OutcomeRecord> forResource(ResourceRef root) {
                throw new IllegalStateException("store offline");
            }
        };
        AnalysisOutcome out = new RulesAnalyzer(KnowledgeBase.bundled(), broken, RulesConfig.defaults())
                .analyze(RuleLoadingTest.crashLoop().request());
        AnalysisOutcome.Failed failed = assertInstanceOf(AnalysisOutcome.Failed.class, out);
        assertTrue(failed.reason().contains("store offline"), failed.reason());
    }

    @Test
    void isSafeToCallFromManyThreads() throws Exception {
        List<AnalysisRequest> requests = List.of(afterRollout().request(), RuleLoadingTest.crashLoop().request(),
                TestIncidents.incident("node-not-ready", "Node/worker-1").fact("condition.Ready", "Unknown")
                        .resource("Pod/shop/a").request());
        List<String> expected = new ArrayList<>();
        for (AnalysisRequest r : requests) expected.add(diagnose(r).toString());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                AnalysisRequest r = requests.get(i % requests.size());
                futures.add(pool.submit(() -> diagnose(r).toString()));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertEquals(expected.get(i % requests.size()), futures.get(i).get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reasoningExplainsWhichRuleMatchedAndOnWhatEvidence() {
        Diagnosis d = diagnose(afterRollout().request());
        assertTrue(d.reasoning().contains("Rule crash-loop-after-rollout matched: rolloutRecent = true; previousRevisionHealthy = true"),
                d.reasoning());
        assertTrue(d.reasoning().contains("What a human should do:\n1) Read why the new revision crashes: kubectl -n shop logs "
                + "checkout-7d9f8c6b5-x2x7q -c checkout --previous"), d.reasoning());
        assertEquals(KnowledgeBase.BUNDLED_SOURCE, d.attributes().get("ruleSource"));
        assertTrue(d.attributes().get("alsoMatched").contains("crash-loop-after-rollout-unverified"), d.attributes().toString());
        assertEquals(Set.of("rule", "ruleSource", "specificity", "finding", "alsoMatched"), d.attributes().keySet());
    }

    static TestIncidents.Builder afterRollout() {
        return RuleLoadingTest.crashLoop().fact("rolloutRecent", "true").fact("previousRevisionHealthy", "true")
                .fact("previousRevision", "11").fact("currentRevision", "12").fact("minutesSinceRollout", "4");
    }

    private Diagnosis diagnose(AnalysisRequest request) {
        return diagnose(analyzer, request);
    }

    static Diagnosis diagnose(RulesAnalyzer analyzer, AnalysisRequest request) {
        AnalysisOutcome out = analyzer.analyze(request);
        return assertInstanceOf(AnalysisOutcome.Diagnosed.class, out, () -> "outcome: " + out).diagnosis();
    }
}

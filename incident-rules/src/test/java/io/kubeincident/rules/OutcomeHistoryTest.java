package io.kubeincident.rules;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.OutcomeRecord;
import io.kubeincident.api.OutcomeRecord.Outcome;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.OutcomeHistory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What earlier actions achieved lowers (or drops) what the rules propose now. */
class OutcomeHistoryTest {

    private static final ResourceRef SEARCH = ResourceRef.of("Deployment", "shop", "search");
    private static final ResourceRef CHECKOUT = ResourceRef.of("Deployment", "shop", "checkout");

    /** A plain in-memory history, newest first, as the engine's store answers. */
    static final class ListHistory implements OutcomeHistory {
        private final List<OutcomeRecord> records = new ArrayList<>();
        private Instant clock = Instant.parse("2025-02-01T00:00:00Z");

        ListHistory add(String incidentType, String action, ResourceRef root, Outcome outcome) {
            clock = clock.plus(Duration.ofHours(1));
            record(new OutcomeRecord(incidentType, "test", action, root, outcome, clock));
            return this;
        }

        public synchronized void record(OutcomeRecord outcome) {
            records.add(outcome);
        }

        public synchronized List<OutcomeRecord> find(String incidentType, String actionType) {
            return records.stream().filter(r -> r.incidentType().equals(incidentType) && r.actionType().equals(actionType))
                    .sorted(Comparator.comparing(OutcomeRecord::at).reversed()).toList();
        }

        public synchronized List<OutcomeRecord> forResource(ResourceRef root) {
            return records.stream().filter(r -> r.rootResource().sameTarget(root))
                    .sorted(Comparator.comparing(OutcomeRecord::at).reversed()).toList();
        }
    }

    private static TestIncidents.Builder repeatedOom() {
        return TestIncidents.incident("oom-killed", "Deployment/shop/search").resource("Pod/shop/search-5f6d7c8b9-q4w2e")
                .finding("Pod/shop/search-5f6d7c8b9-q4w2e", "", Map.of("container", "search", "terminatedReason", "OOMKilled",
                        "exitCode", "137", "restartCount", "5", "memoryLimit", "512Mi"));
    }

    private static Diagnosis run(OutcomeHistory history, TestIncidents.Builder b) {
        return RulesAnalyzerTest.diagnose(new RulesAnalyzer(KnowledgeBase.bundled(), history, RulesConfig.defaults()), b.request());
    }

    private static ProposedAction only(Diagnosis d, String type) {
        List<ProposedAction> found = d.actions().stream().filter(a -> a.actionType().equals(type)).toList();
        assertEquals(1, found.size(), () -> "actions: " + d.actions() + "\n" + d.reasoning());
        return found.get(0);
    }

    @Test
    void noHistoryLeavesTheRuleConfidence() {
        assertEquals(0.7, only(run(OutcomeHistory.none(), repeatedOom()), ActionTypes.ADJUST_RESOURCES).confidence(), 1e-9);
    }

    @Test
    void oneUnhelpfulRunLowersConfidenceBelowTheApprovalLine() {
        ListHistory h = new ListHistory().add("oom-killed", ActionTypes.ADJUST_RESOURCES, SEARCH, Outcome.NOT_IMPROVED);
        ProposedAction a = only(run(h, repeatedOom()), ActionTypes.ADJUST_RESOURCES);
        assertEquals(0.7 * OutcomeAdjuster.PENALTY, a.confidence(), 1e-9);
        assertTrue(a.rationale().contains("did not help once before on Deployment shop/search"), a.rationale());
    }

    @Test
    void twoUnhelpfulRunsOnThisWorkloadDropTheActionAndEscalate() {
        ListHistory h = new ListHistory()
                .add("oom-killed", ActionTypes.ADJUST_RESOURCES, SEARCH, Outcome.NOT_IMPROVED)
                .add("oom-killed", ActionTypes.ADJUST_RESOURCES, SEARCH, Outcome.NOT_IMPROVED);
        Diagnosis d = run(h, repeatedOom());
        assertTrue(d.actions().isEmpty(), d.actions().toString());
        assertEquals("true", d.attributes().get("escalate"));
        assertTrue(d.reasoning().contains("adjust-resources did not help the last 2 times on Deployment shop/search"), d.reasoning());
        // The diagnosis itself stands; only the action is withdrawn.
        assertEquals("memory-limit-too-low", d.category());
    }

    @Test
    void aConfiguredThresholdKeepsTheActionLonger() {
        ListHistory h = new ListHistory()
                .add("oom-killed", ActionTypes.ADJUST_RESOURCES, SEARCH, Outcome.NOT_IMPROVED)
                .add("oom-killed", ActionTypes.ADJUST_RESOURCES, SEARCH, Outcome.FAILED);
        RulesConfig patient = new RulesConfig(null, null, true, Duration.ofMinutes(30), 4L << 30, 3);
        Diagnosis d = RulesAnalyzerTest.diagnose(new RulesAnalyzer(KnowledgeBase.bundled(), h, patient), repeatedOom().request());
        assertEquals(0.7 * OutcomeAdjuster.PENALTY * OutcomeAdjuster.PENALTY, only(d, ActionTypes.ADJUST_RESOURCES).confidence(), 1e-9);
    }

    @Test
    void onlyFailuresSinceTheLastSuccessCount() {
        ListHistory h = new ListHistory()
                .add("oom-killed", ActionTypes.ADJUST_RESOURCES, SEARCH, Outcome.NOT_IMPROVED)
                .add("oom-killed", ActionTypes.ADJUST_RESOURCES, SEARCH, Outcome.NOT_IMPROVED)
                .add("oom-killed", ActionTypes.ADJUST_RESOURCES, SEARCH, Outcome.RESOLVED);
        ProposedAction a = only(run(h, repeatedOom()), ActionTypes.ADJUST_RESOURCES);
        // The last run helped: a small boost instead of a drop.
        assertEquals(0.7 + OutcomeAdjuster.BONUS, a.confidence(), 1e-9);
        assertTrue(a.rationale().contains("resolved the last such incident"), a.rationale());
    }

    @Test
    void anActionThatMadeThingsWorseIsDroppedAtOnce() {
        ListHistory h = new ListHistory().add("oom-killed", ActionTypes.ADJUST_RESOURCES, SEARCH, Outcome.WORSE);
        Diagnosis d = run(h, repeatedOom());
        assertTrue(d.actions().isEmpty());
        assertTrue(d.reasoning().contains("made things worse"), d.reasoning());
    }

    @Test
    void historyOfOtherWorkloadsAndOtherActionsDoesNotDropIt() {
        ListHistory h = new ListHistory()
                .add("oom-killed", ActionTypes.ADJUST_RESOURCES, CHECKOUT, Outcome.NOT_IMPROVED)
                .add("oom-killed", ActionTypes.RESTART_POD, SEARCH, Outcome.NOT_IMPROVED)
                .add("crash-loop", ActionTypes.ADJUST_RESOURCES, SEARCH, Outcome.NOT_IMPROVED)
                .add("oom-killed", ActionTypes.RESTART_POD, SEARCH, Outcome.NOT_IMPROVED);
        assertEquals(0.7, only(run(h, repeatedOom()), ActionTypes.ADJUST_RESOURCES).confidence(), 1e-9);
    }

    @Test
    void clusterWideFailuresWeighLess() {
        ListHistory h = new ListHistory();
        for (String name : List.of("a", "b", "c", "d")) {
            h.add("oom-killed", ActionTypes.ADJUST_RESOURCES, ResourceRef.of("Deployment", "other", name), Outcome.NOT_IMPROVED);
        }
        ProposedAction a = only(run(h, repeatedOom()), ActionTypes.ADJUST_RESOURCES);
        assertEquals(0.7 * OutcomeAdjuster.WEAK_PENALTY, a.confidence(), 1e-9);
        assertTrue(a.rationale().contains("resolved only 0 of the last 4"), a.rationale());

        // Mostly successful elsewhere: no penalty.
        ListHistory good = new ListHistory();
        for (String name : List.of("a", "b", "c")) {
            good.add("oom-killed", ActionTypes.ADJUST_RESOURCES, ResourceRef.of("Deployment", "other", name), Outcome.RESOLVED);
        }
        good.add("oom-killed", ActionTypes.ADJUST_RESOURCES, ResourceRef.of("Deployment", "other", "d"), Outcome.NOT_IMPROVED);
        assertEquals(0.7, only(run(good, repeatedOom()), ActionTypes.ADJUST_RESOURCES).confidence(), 1e-9);
    }

    @Test
    void crashLoopRestartIsTriedOnceThenEscalated() {
        ProposedAction first = only(run(OutcomeHistory.none(), RuleLoadingTest.crashLoop()), ActionTypes.RESTART_POD);
        assertEquals(0.6, first.confidence(), 1e-9);

        ListHistory h = new ListHistory().add("crash-loop", ActionTypes.RESTART_POD, CHECKOUT, Outcome.NOT_IMPROVED);
        Diagnosis d = run(h, RuleLoadingTest.crashLoop());
        assertTrue(d.actions().isEmpty(), d.actions().toString());
        assertEquals("true", d.attributes().get("escalate"));
        assertTrue(d.reasoning().contains("restart-pod did not help the last 1 time on Deployment shop/checkout"), d.reasoning());
    }

    @Test
    void knowledgeLinesFromTheEvidenceCountToo() {
        Diagnosis dropped = run(OutcomeHistory.none(), RuleLoadingTest.crashLoop()
                .knowledge("restart-pod did not help the last 3 times for Deployment shop/checkout"));
        assertTrue(dropped.actions().isEmpty());
        assertTrue(dropped.reasoning().contains("per the knowledge base"), dropped.reasoning());
        assertTrue(dropped.reasoning().contains("the last 3 times"), dropped.reasoning());

        ProposedAction lowered = only(run(OutcomeHistory.none(), repeatedOom()
                .knowledge("adjust-resources did not help once on Deployment shop/search")), ActionTypes.ADJUST_RESOURCES);
        assertEquals(0.7 * OutcomeAdjuster.PENALTY, lowered.confidence(), 1e-9);

        Diagnosis worse = run(OutcomeHistory.none(), repeatedOom()
                .knowledge("Last week adjust-resources made things worse on Deployment shop/search"));
        assertTrue(worse.actions().isEmpty());

        // Lines about other actions, or names that merely contain the action's id, change nothing.
        ProposedAction untouched = only(run(OutcomeHistory.none(), repeatedOom()
                .knowledge("rollout-restart did not help the last 5 times")
                .knowledge("adjust-resources-v2 did not help twice")
                .knowledge("Runbook: adjust-resources needs the cap raised for search")), ActionTypes.ADJUST_RESOURCES);
        assertEquals(0.7, untouched.confidence(), 1e-9);
        assertNull(noteOf(untouched));
    }

    private static String noteOf(ProposedAction a) {
        return a.rationale().contains("Confidence") ? a.rationale() : null;
    }
}

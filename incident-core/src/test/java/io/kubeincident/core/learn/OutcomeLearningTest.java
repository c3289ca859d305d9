package io.kubeincident.core.learn;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.OutcomeRecord;
import io.kubeincident.api.OutcomeRecord.Outcome;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.core.config.MapConfig;
import io.kubeincident.spi.OutcomeHistory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutcomeLearningTest {
    private static final Instant T0 = Instant.parse("2026-01-20T10:30:00Z");
    private static final ResourceRef WEB = ResourceRef.of("Deployment", "default", "web");
    private static final ResourceRef API = ResourceRef.of("Deployment", "default", "api");

    private static OutcomeRecord rec(ResourceRef root, String action, Outcome o, int minute) {
        return new OutcomeRecord("crash-loop", "app-crash", action, root, o, T0.plusSeconds(60L * minute));
    }

    private static Incident incident(ResourceRef root) {
        return new Incident("i-1", "crash-loop:" + root.key(), "crash-loop", Severity.HIGH, root, null, null,
                IncidentState.OPEN, T0, T0);
    }

    private static ProposedAction restart(double c) {
        return new ProposedAction(ActionTypes.RESTART_POD, ResourceRef.of("Pod", "default", "web-1"), Map.of(), c, "crash loop");
    }

    @Test
    void jsonLinesStoreSurvivesARestartAndSkipsTornLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("learn/outcomes.jsonl");
        try (JsonLinesOutcomeHistory h = new JsonLinesOutcomeHistory(file)) {
            h.record(rec(WEB, ActionTypes.RESTART_POD, Outcome.NOT_IMPROVED, 1));
            h.record(rec(WEB, ActionTypes.ROLLBACK_DEPLOYMENT, Outcome.RESOLVED, 2));
            h.record(rec(API, ActionTypes.RESTART_POD, Outcome.RESOLVED, 3));
        }
        Files.writeString(file, "{\"at\":\"2026-01-20T1", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        try (JsonLinesOutcomeHistory again = new JsonLinesOutcomeHistory(file)) {
            assertEquals(1, again.skippedLines());
            List<OutcomeRecord> restarts = again.find("crash-loop", ActionTypes.RESTART_POD);
            assertEquals(List.of(API, WEB), restarts.stream().map(OutcomeRecord::rootResource).toList(), "newest first");
            assertEquals(2, again.forResource(WEB).size());
            assertEquals(Outcome.RESOLVED, again.forResource(WEB).get(0).outcome());
        }
    }

    @Test
    void anUnwritableFileKeepsLearningInMemory(@TempDir Path dir) throws Exception {
        Path blocker = dir.resolve("not-a-dir");
        Files.writeString(blocker, "x");
        JsonLinesOutcomeHistory h = new JsonLinesOutcomeHistory(blocker.resolve("outcomes.jsonl"));
        h.record(rec(WEB, ActionTypes.RESTART_POD, Outcome.RESOLVED, 1));
        assertEquals(1, h.forResource(WEB).size());
        h.close();
    }

    @Test
    void noHistoryLeavesTheConfidenceAlone() {
        ProposedAction p = restart(0.85);
        assertSame(p, new OutcomeLearning(new InMemoryOutcomeHistory()).adjust(incident(WEB), p));
    }

    @Test
    void aGoodTrackRecordRaisesTheConfidenceByABoundedAmount() {
        InMemoryOutcomeHistory h = new InMemoryOutcomeHistory();
        for (int i = 0; i < 20; i++) h.record(rec(ResourceRef.of("Deployment", "ns" + i, "x"), ActionTypes.RESTART_POD, Outcome.RESOLVED, i));
        ProposedAction p = new OutcomeLearning(h).adjust(incident(WEB), restart(0.7));
        assertTrue(p.confidence() > 0.85 && p.confidence() <= 0.9, "at most +0.2: " + p.confidence());
        assertTrue(p.rationale().contains("resolved 20 of 20 crash-loop incidents"), p.rationale());
        ProposedAction high = new OutcomeLearning(h).adjust(incident(WEB), restart(0.95));
        assertTrue(high.confidence() <= 1.0);
    }

    @Test
    void restartsThatDidNotHelpOnThisWorkloadHalveTheConfidence() {
        InMemoryOutcomeHistory h = new InMemoryOutcomeHistory();
        h.record(rec(WEB, ActionTypes.RESTART_POD, Outcome.RESOLVED, 1));
        h.record(rec(WEB, ActionTypes.RESTART_POD, Outcome.NOT_IMPROVED, 2));
        h.record(rec(WEB, ActionTypes.RESTART_POD, Outcome.NOT_IMPROVED, 3));
        OutcomeLearning learning = new OutcomeLearning(h);
        ProposedAction p = learning.adjust(incident(WEB), restart(0.9));
        assertTrue(p.confidence() < 0.5, "halved below the approval threshold: " + p.confidence());
        assertTrue(p.rationale().contains("did not help the last 2 times for Deployment/default/web"), p.rationale());
        assertEquals(0.9, learning.adjust(incident(API), restart(0.9)).confidence(), 0.1, "another workload is not penalised");
        List<String> knowledge = learning.knowledge(incident(WEB), 5);
        assertEquals(List.of("restart-pod did not help the last 2 times for Deployment/default/web"), knowledge);
    }

    @Test
    void storesAreChosenByConfiguration(@TempDir Path dir) {
        assertInstanceOf(InMemoryOutcomeHistory.class, OutcomeStores.fromConfig(new MapConfig(Map.of()), Optional.empty()));
        assertInstanceOf(JsonLinesOutcomeHistory.class, OutcomeStores.fromConfig(
                new MapConfig(Map.of("learning.file", dir.resolve("o.jsonl").toString())), Optional.empty()));
        OutcomeHistory none = OutcomeStores.fromConfig(new MapConfig(Map.of("learning.store", "none")), Optional.empty());
        none.record(rec(WEB, ActionTypes.RESTART_POD, Outcome.RESOLVED, 1));
        assertTrue(none.forResource(WEB).isEmpty());
        for (Map<String, String> bad : List.of(Map.of("learning.store", "s3"), Map.of("learning.store", "file"),
                Map.of("learning.store", "configmap"), Map.of("learning.max_records", "0"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OutcomeStores.fromConfig(new MapConfig(bad), Optional.empty()), bad.toString());
            assertTrue(e.getMessage().startsWith("learning."), e.getMessage());
        }
    }
}

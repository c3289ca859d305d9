package io.kubeincident.core.analyze;

import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.core.audit.AuditTrail;
import io.kubeincident.core.audit.InMemoryAuditSink;
import io.kubeincident.spi.Analyzer;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The analyzer chain alone: priority order, fallback on every kind of failure, the deadline, the audit. */
class AnalyzerChainTest {

    private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");
    private final InMemoryAuditSink sink = new InMemoryAuditSink();
    private final AuditTrail audit = new AuditTrail(List.of(sink), Clock.fixed(NOW, java.time.ZoneOffset.UTC));

    private static AnalysisRequest request() {
        ResourceRef pod = ResourceRef.of("Pod", "default", "web");
        Finding f = new Finding("crash-loop", "crash-loop", Severity.HIGH, pod, "crash looping", Map.of(), NOW);
        Incident i = new Incident("crash-loop-1", "crash-loop:Pod/default/web", "crash-loop", Severity.HIGH, pod,
                List.of(pod), List.of(f), IncidentState.OPEN, NOW, NOW);
        return new AnalysisRequest(i, Evidence.empty(), List.of());
    }

    private static Analyzer analyzer(String id, int priority, Function<AnalysisRequest, AnalysisOutcome> answer) {
        return new Analyzer() {
            public String id() {
                return id;
            }

            public int priority() {
                return priority;
            }

            public AnalysisOutcome analyze(AnalysisRequest r) {
                return answer.apply(r);
            }
        };
    }

    private static AnalysisOutcome diagnosed(String by) {
        return AnalysisOutcome.diagnosed(new Diagnosis("application-crash", "cause", "why", 0.7, by, List.of(), Map.of()));
    }

    @Test
    void theHighestPriorityAnswerWinsAndEveryFailureBeforeItIsSaid() {
        List<Analyzer> analyzers = List.of(
                analyzer("rules", 0, r -> diagnosed("rules")),
                analyzer("declines", 300, r -> AnalysisOutcome.declined("not my kind")),
                analyzer("fails", 200, r -> AnalysisOutcome.failed("HTTP 503")),
                analyzer("throws", 100, r -> {
                    throw new IllegalStateException("bug");
                }),
                analyzer("nothing", 50, r -> null));
        try (AnalyzerChain chain = new AnalyzerChain(analyzers, Duration.ofSeconds(5), audit)) {
            assertEquals(List.of("declines", "fails", "throws", "nothing", "rules"),
                    chain.analyzers().stream().map(Analyzer::id).toList());
            AnalyzerChain.Result r = chain.analyze("crash-loop-1", request());
            assertEquals("rules", r.diagnosis().analyzerId());
            assertEquals(4, r.fallbacks().size(), r.fallbacks().toString());
            assertTrue(r.fallbacks().get(0).equals("declines declined: not my kind"), r.fallbacks().toString());
            assertTrue(r.fallbacks().get(1).equals("fails failed: HTTP 503"), r.fallbacks().toString());
            assertTrue(r.fallbacks().get(2).contains("throws failed: threw java.lang.IllegalStateException: bug"));
            assertTrue(r.fallbacks().get(3).contains("nothing failed: returned no outcome"));
            assertEquals(1, sink.withStep("analyzer-declined").size());
            assertEquals(3, sink.withStep("analyzer-failed").size());
            assertEquals("rules", sink.withStep("analyzed").get(0).field("analyzer"));
        }
    }

    @Test
    void aHangingAnalyzerIsCutAtTheDeadlineAndInterrupted() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        Analyzer hangs = analyzer("hangs", 100, r -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return AnalysisOutcome.failed("interrupted");
        });
        try (AnalyzerChain chain = new AnalyzerChain(List.of(hangs, analyzer("rules", 0, r -> diagnosed("rules"))),
                Duration.ofMillis(200), audit)) {
            AnalyzerChain.Result r = chain.analyze("crash-loop-1", request());
            assertEquals("rules", r.diagnosis().analyzerId());
            assertEquals(List.of("hangs failed: timed out after 200 ms"), r.fallbacks());
            assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the abandoned call is interrupted");
        }
    }

    @Test
    void whenNoneAnswersTheDiagnosisIsUnknownWithNoActions() {
        try (AnalyzerChain chain = new AnalyzerChain(List.of(analyzer("declines", 1, r -> AnalysisOutcome.declined("no"))),
                Duration.ofSeconds(1), audit)) {
            AnalyzerChain.Result r = chain.analyze("crash-loop-1", request());
            assertEquals("unknown", r.diagnosis().category());
            assertTrue(r.diagnosis().actions().isEmpty());
            assertEquals(List.of("declines declined: no"), r.fallbacks());
        }
    }
}

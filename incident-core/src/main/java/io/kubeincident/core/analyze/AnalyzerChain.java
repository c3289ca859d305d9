package io.kubeincident.core.analyze;

import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.core.audit.AuditTrail;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.GenerativeAnalyzer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The analyzer chain: analyzers are asked in priority order (highest first) and the first diagnosis wins;
 * one that declines, fails, throws, returns nothing or exceeds the timeout is audited and the next is asked
 * (the rules analyzer answers last). Every call runs on its own daemon thread with a deadline, so a hanging
 * analyzer costs its caller at most {@code analysis.timeout} and never blocks anything else. Thread-safe.
 */
public final class AnalyzerChain implements AutoCloseable {

    /** The diagnosis that won and, in order, why the analyzers before it did not answer. */
    public record Result(Diagnosis diagnosis, List<String> fallbacks) {
        public Result {
            Objects.requireNonNull(diagnosis, "diagnosis");
            fallbacks = List.copyOf(fallbacks);
        }
    }

    /** Diagnosis attribute: the analyzers that declined or failed before the one that answered, with why. */
    public static final String FALLBACK_ATTRIBUTE = "analysis.fallback";

    private final List<Analyzer> analyzers;
    private final Duration timeout;
    private final AuditTrail audit;
    private final ExecutorService calls;

    public AnalyzerChain(List<Analyzer> analyzers, Duration timeout, AuditTrail audit) {
        this.analyzers = analyzers.stream().sorted(Comparator.comparingInt(Analyzer::priority).reversed()).toList();
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.audit = Objects.requireNonNull(audit, "audit");
        AtomicInteger n = new AtomicInteger();
        // Unbounded on purpose: callers are bounded (analysis.concurrency), and a call abandoned at its deadline
        // must not hold a slot that the next incident needs.
        this.calls = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kube-incident-analyzer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Highest priority first. */
    public List<Analyzer> analyzers() {
        return analyzers;
    }

    /** Asks the analyzers in turn; never throws. An "unknown" diagnosis with no actions when none answered. */
    public Result analyze(String incidentId, AnalysisRequest request) {
        List<String> fallbacks = new ArrayList<>();
        for (Analyzer analyzer : analyzers) {
            AnalysisOutcome outcome = call(analyzer, request);
            if (outcome instanceof AnalysisOutcome.Diagnosed d) {
                Diagnosis diag = withFallbackReason(d.diagnosis(), fallbacks);
                audit.write(incidentId, "analyzed", AuditTrail.fields().put("analyzer", diag.analyzerId())
                        .put("category", diag.category()).put("root_cause", diag.rootCause())
                        .put("confidence", diag.confidence()).put("reasoning", diag.reasoning())
                        .put("proposed", diag.actions().size()).put("attributes", diag.attributes())
                        .put("fallbacks", fallbacks.isEmpty() ? null : fallbacks).map());
                return new Result(diag, fallbacks);
            }
            String step = outcome instanceof AnalysisOutcome.Declined ? "analyzer-declined" : "analyzer-failed";
            String reason = outcome instanceof AnalysisOutcome.Declined dec ? dec.reason()
                    : ((AnalysisOutcome.Failed) outcome).reason();
            Map<String, String> details = outcome instanceof AnalysisOutcome.Failed f ? f.details() : Map.of();
            audit.write(incidentId, step, AuditTrail.fields().put("analyzer", analyzer.id())
                    .put("message", reason).put("details", details.isEmpty() ? null : details).map());
            fallbacks.add(analyzer.id() + (outcome instanceof AnalysisOutcome.Declined ? " declined: " : " failed: ") + reason);
        }
        return new Result(withFallbackReason(new Diagnosis("unknown", "no analyzer could explain this incident",
                "every analyzer declined or failed", 0.0, "engine", List.of(), Map.of()), fallbacks), fallbacks);
    }

    /**
     * Whether a diagnosis came from a generative analyzer (an LLM), or from one this chain does not know (treated
     * the same, failing closed); the engine's own "unknown" is neither.
     */
    public boolean generative(Diagnosis diagnosis) {
        if ("engine".equals(diagnosis.analyzerId())) return false;
        return analyzers.stream().filter(a -> a.id().equals(diagnosis.analyzerId())).findFirst()
                .map(a -> a instanceof GenerativeAnalyzer).orElse(true);
    }

    /**
     * The first diagnosis of an analyzer that is not generative and did not give {@code diagnosis}: the engine's
     * own judgement of the same request, for corroboration; null when none answers.
     */
    public Diagnosis secondOpinion(AnalysisRequest request, Diagnosis diagnosis) {
        for (Analyzer independent : analyzers) {
            if (independent instanceof GenerativeAnalyzer || independent.id().equals(diagnosis.analyzerId())) continue;
            if (call(independent, request) instanceof AnalysisOutcome.Diagnosed d) return d.diagnosis();
        }
        return null;
    }

    /** Says who did not answer before this diagnosis and why ({@link #FALLBACK_ATTRIBUTE}), for reports and audit. */
    private static Diagnosis withFallbackReason(Diagnosis d, List<String> passedOver) {
        if (passedOver.isEmpty()) return d;
        Map<String, String> attributes = new LinkedHashMap<>(d.attributes());
        attributes.put(FALLBACK_ATTRIBUTE, String.join("; ", passedOver));
        return new Diagnosis(d.category(), d.rootCause(), d.reasoning(), d.confidence(), d.analyzerId(), d.actions(), attributes);
    }

    private AnalysisOutcome call(Analyzer analyzer, AnalysisRequest request) {
        Future<AnalysisOutcome> f;
        try {
            f = calls.submit(() -> analyzer.analyze(request));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            return AnalysisOutcome.failed("the engine is shutting down");
        }
        try {
            AnalysisOutcome o = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return o == null ? AnalysisOutcome.failed("returned no outcome") : o;
        } catch (TimeoutException e) {
            f.cancel(true);
            return AnalysisOutcome.failed("timed out after " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            return AnalysisOutcome.failed("interrupted");
        } catch (ExecutionException e) {
            return AnalysisOutcome.failed("threw " + e.getCause());
        }
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}

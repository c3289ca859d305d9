package io.kubeincident.responder.run;

import io.kubeincident.api.ActionResult;
import io.kubeincident.api.AuditRecord;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.Verdict;
import io.kubeincident.spi.AuditSink;
import io.kubeincident.spi.IncidentListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Turns what the engine reports into meters (Prometheus names after the {@code _total}/{@code _seconds}
 * suffixes Micrometer adds):
 * <ul>
 *   <li>{@code kube_incident_incidents_total{type,severity}}: incidents analyzed</li>
 *   <li>{@code kube_incident_verdicts_total{action,verdict,decision}}: planned actions after the safety chain</li>
 *   <li>{@code kube_incident_actions_total{action,result}}: executed actions by result
 *       (applied, dry-run, skipped, failed)</li>
 *   <li>{@code kube_incident_analysis_seconds{analyzer}}: time from detection to a diagnosis, per incident</li>
 *   <li>{@code kube_incident_llm_tokens_total{analyzer,kind}}: tokens the LLM analyzer reported (prompt, completion), failed answers included</li>
 *   <li>{@code kube_incident_incidents_resolved_total}, {@code kube_incident_incidents_escalated_total},
 *       {@code kube_incident_approvals_requested_total}</li>
 * </ul>
 * A listener and an audit sink at once: listeners carry the typed values, the audit carries analyzer
 * failures. Thread-safe (Micrometer meters are).
 */
public final class EngineMetrics implements IncidentListener, AuditSink {
    private final MeterRegistry registry;
    /**
     * When each incident was opened, until its first analysis: the engine opens incidents on its detection thread and
     * analyzes them in per-incident lanes, so the start is kept by incident id.
     */
    private final java.util.Map<String, Long> openedAt = new java.util.concurrent.ConcurrentHashMap<>();

    public EngineMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    @Override
    public void onIncidentOpened(Incident incident) {
        openedAt.put(incident.id(), System.nanoTime());
    }

    @Override
    public void onIncidentAnalyzed(IncidentReport report) {
        Incident i = report.incident();
        Counter.builder("kube_incident_incidents").description("Incidents detected and analyzed")
                .tag("type", i.type()).tag("severity", i.severity().name().toLowerCase(Locale.ROOT))
                .register(registry).increment();
        String analyzer = report.diagnosis().analyzerId();
        Long start = openedAt.remove(i.id());
        if (start != null) {
            Timer.builder("kube_incident_analysis").description("Evidence, analysis and planning of one incident")
                    .tag("analyzer", analyzer).register(registry).record(Duration.ofNanos(System.nanoTime() - start));
        }
        for (PlannedAction pa : report.plan()) {
            Counter.builder("kube_incident_verdicts").description("Planned actions by safety verdict and decision")
                    .tag("action", pa.action().actionType()).tag("verdict", verdict(pa.verdict()))
                    .tag("decision", pa.decision().id()).register(registry).increment();
        }
        Map<String, String> attrs = report.diagnosis().attributes();
        countTokens(analyzer, attrs);
    }

    @Override
    public void onApprovalRequested(Incident incident, PlannedAction action, String approvalId) {
        Counter.builder("kube_incident_approvals_requested").tag("action", action.action().actionType())
                .register(registry).increment();
    }

    @Override
    public void onActionExecuted(Incident incident, PlannedAction action, ActionResult result) {
        Counter.builder("kube_incident_actions").description("Executed actions by type and result")
                .tag("action", action.action().actionType()).tag("result", result.kind())
                .register(registry).increment();
    }

    @Override
    public void onIncidentResolved(Incident incident) {
        openedAt.remove(incident.id());
        Counter.builder("kube_incident_incidents_resolved").tag("type", incident.type()).register(registry).increment();
    }

    @Override
    public void onIncidentEscalated(Incident incident, String reason) {
        Counter.builder("kube_incident_incidents_escalated").tag("type", incident.type()).register(registry).increment();
    }

    private void countTokens(String analyzer, Map<String, String> attrs) {
        tokens(analyzer, "prompt", attrs, "llm.prompt_tokens", "prompt_tokens");
        tokens(analyzer, "completion", attrs, "llm.completion_tokens", "completion_tokens");
    }

    @Override
    public void write(AuditRecord record) {
        if ("analyzer-failed".equals(record.step()) && record.field("details") instanceof Map<?, ?> details) {
            // A failed LLM answer (invalid, cut off) was still paid for.
            Map<String, String> attrs = new java.util.HashMap<>();
            details.forEach((k, v) -> attrs.put(String.valueOf(k), String.valueOf(v)));
            countTokens(String.valueOf(record.field("analyzer")), attrs);
        }
        if ("analyzer-failed".equals(record.step()) || "analyzer-declined".equals(record.step())) {
            Counter.builder("kube_incident_analyzer_fallbacks").description("Analyzer answers that passed the incident on")
                    .tag("analyzer", String.valueOf(record.field("analyzer"))).tag("outcome", record.step().substring(9))
                    .tag("reason", fallbackReason(String.valueOf(record.field("message"))))
                    .register(registry).increment();
        }
    }

    /** A bounded reason tag for a fallback, from the analyzer's message (the full message is in the audit). */
    static String fallbackReason(String message) {
        String m = message.toLowerCase(java.util.Locale.ROOT);
        if (m.contains("configuration error")) return "configuration";
        if (m.contains("circuit open")) return "circuit-open";
        if (m.contains("budget")) return "budget";
        if (m.contains("already running")) return "concurrency";
        if (m.contains("timed out")) return "timeout";
        if (m.contains("invalid answer") || m.contains("model refused") || m.contains("cut off") || m.contains("empty content")
                || m.contains("content filter") || m.contains("tool call") || m.contains("unusable response")) {
            return "unusable-answer";
        }
        return "error";
    }

    private void tokens(String analyzer, String kind, Map<String, String> attrs, String... keys) {
        for (String k : keys) {
            String v = attrs.get(k);
            if (v == null) continue;
            try {
                long n = Long.parseLong(v.trim());
                if (n > 0) {
                    Counter.builder("kube_incident_llm_tokens").description("LLM tokens used")
                            .tag("analyzer", analyzer).tag("kind", kind).register(registry).increment(n);
                }
            } catch (NumberFormatException ignored) {
                // not a count: nothing to add
            }
            return;
        }
    }

    private static String verdict(Verdict v) {
        if (v instanceof Verdict.Deny) return "deny";
        if (v instanceof Verdict.RequireApproval) return "require-approval";
        return "allow";
    }
}

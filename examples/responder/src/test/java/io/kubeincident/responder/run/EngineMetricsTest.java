package io.kubeincident.responder.run;

import io.kubeincident.api.ActionResult;
import io.kubeincident.api.AuditRecord;
import io.kubeincident.api.Decision;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.api.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the engine reports becomes the documented meters. */
class EngineMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final EngineMetrics metrics = new EngineMetrics(registry);

    private static final ResourceRef POD = ResourceRef.of("Pod", "shop", "web-1");
    private static final Incident INCIDENT = new Incident("i-1", "fp", "oom-killed", Severity.HIGH, POD, null, null,
            IncidentState.OPEN, Instant.EPOCH, null);

    @Test
    void countsIncidentsVerdictsActionsAndTokens() {
        ProposedAction restart = new ProposedAction("restart-pod", POD, Map.of(), 0.9, "");
        PlannedAction planned = new PlannedAction(restart, Verdict.allow(), Decision.EXECUTE, List.of("ok"));
        Diagnosis d = new Diagnosis("memory-limit-too-low", "", "", 0.9, "openai", List.of(restart),
                Map.of("llm.prompt_tokens", "1200", "llm.completion_tokens", "150"));
        metrics.onIncidentOpened(INCIDENT);
        metrics.onIncidentAnalyzed(new IncidentReport(INCIDENT, null, d, List.of(planned)));
        metrics.onActionExecuted(INCIDENT, planned, ActionResult.applied("deleted"));
        metrics.write(new AuditRecord(Instant.EPOCH, "i-2", "analyzer-failed", Map.of("analyzer", "openai",
                "message", "invalid answer", "details", Map.of("llm.prompt_tokens", "800", "llm.completion_tokens", "40"))));

        assertEquals(1.0, registry.get("kube_incident_incidents").tags("type", "oom-killed", "severity", "high").counter().count());
        assertEquals(1.0, registry.get("kube_incident_verdicts").tags("action", "restart-pod", "verdict", "allow",
                "decision", "execute").counter().count());
        assertEquals(1.0, registry.get("kube_incident_actions").tags("action", "restart-pod", "result", "applied").counter().count());
        assertEquals(2000.0, registry.get("kube_incident_llm_tokens").tags("analyzer", "openai", "kind", "prompt").counter().count());
        assertEquals(190.0, registry.get("kube_incident_llm_tokens").tags("analyzer", "openai", "kind", "completion").counter().count());
        assertEquals(1L, registry.get("kube_incident_analysis").tags("analyzer", "openai").timer().count());
        assertEquals(1.0, registry.get("kube_incident_analyzer_fallbacks").tags("analyzer", "openai", "outcome", "failed")
                .counter().count());
    }

    @org.junit.jupiter.api.Test
    void aFallbackSaysWhyInABoundedTag() {
        assertEquals("configuration", EngineMetrics.fallbackReason(
                "disabled by a configuration error until the configuration changes: HTTP 401"));
        assertEquals("circuit-open", EngineMetrics.fallbackReason("circuit open after 3 consecutive failures (last: x)"));
        assertEquals("unusable-answer", EngineMetrics.fallbackReason("invalid answer: malformed JSON"));
        assertEquals("unusable-answer", EngineMetrics.fallbackReason("model refused: no"));
        assertEquals("timeout", EngineMetrics.fallbackReason("timed out: analysis deadline passed"));
        assertEquals("error", EngineMetrics.fallbackReason("LLM request failed: HTTP 500"));
    }
}

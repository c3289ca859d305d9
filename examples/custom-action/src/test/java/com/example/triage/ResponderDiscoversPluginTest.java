package com.example.triage;

import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Decision;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.audit.InMemoryAuditSink;
import io.kubeincident.responder.EngineFactory;
import io.kubeincident.responder.Main;
import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.testkit.server.KubeServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The responder, unchanged, finds this plugin on its class path through ServiceLoader, derives RBAC from
 * it, and runs it when an analyzer proposes it.
 */
class ResponderDiscoversPluginTest {
    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    /** Proposes the plugin's action for every incident, as an LLM could once it is in the catalog. */
    private static final Analyzer PROPOSES_TRIAGE = new Analyzer() {
        public String id() {
            return "triage-test";
        }

        public int priority() {
            return 1000;
        }

        public AnalysisOutcome analyze(AnalysisRequest request) {
            boolean offered = request.availableActions().stream().anyMatch(a -> a.id().equals(TriageAnnotationAction.ID));
            if (!offered) return AnalysisOutcome.declined("annotate-for-triage is not in the catalog");
            ResourceRef pod = request.incident().resources().stream().filter(r -> r.kind().equals("Pod")).findFirst()
                    .orElseThrow();
            return AnalysisOutcome.diagnosed(new Diagnosis("unknown-crash", "unclear", "needs a human", 0.95,
                    "triage-test", List.of(new ProposedAction(TriageAnnotationAction.ID, pod,
                    Map.of("note", "needs a human"), 0.95, "flag it")), Map.of()));
        }
    };

    @Test
    void theResponderDiscoversAndRunsThePlugin() throws Exception {
        Pods.crashLooping(kube.apiClient(), "shop", "web");
        InMemoryAuditSink audit = new InMemoryAuditSink();
        // A discovered plug-in's action runs only once its switch is on.
        ResponderConfig config = ResponderConfig.load(null, null, Map.of(), Map.of("audit.file", "",
                "remediation.enable_triage_annotations", "true")).validated();
        try (IncidentEngine engine = EngineFactory.build(config, kube.apiClient(),
                b -> b.addAnalyzer(PROPOSES_TRIAGE).auditSink(audit).logAudit(false))) {
            assertTrue(engine.actions().containsKey(TriageAnnotationAction.ID), "discovered: " + engine.actions().keySet());

            List<IncidentReport> handled = engine.runOnce();

            IncidentReport r = handled.stream().filter(h -> h.incident().namespace().equals("shop")).findFirst().orElseThrow();
            assertEquals(Decision.EXECUTE, r.plan().get(0).decision(), r.plan().get(0).reasons().toString());
            assertEquals(r.incident().id(), Pods.annotations(kube.apiClient(), "shop", "web")
                    .get(TriageAnnotationAction.INCIDENT_ANNOTATION));
            assertTrue(audit.withStep("outcome").stream().anyMatch(o -> TriageAnnotationAction.ID.equals(o.field("action"))
                    && "applied".equals(o.field("result"))), audit.records().toString());
        }
    }

    @Test
    void theResponderDerivesRbacFromThePlugin() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(new String[]{"rbac"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
        String yaml = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(yaml.contains("resources: [\"deployments\"]\n    verbs: [\"get\", \"list\", \"patch\", \"watch\"]"), yaml);
    }
}

package io.kubeincident.core.plan;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.Decision;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.api.Verdict;
import io.kubeincident.core.config.EngineConfig;
import io.kubeincident.core.config.MapConfig;
import io.kubeincident.core.exec.EngineContexts;
import io.kubeincident.core.monitor.ObjectIndex;
import io.kubeincident.core.safety.ActionLedger;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.SafetyPolicy;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecisionFlowTest {
    private static final Instant NOW = Instant.parse("2026-01-20T10:30:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** A scale-like action with a bounded parameter, for schema checks. */
    static final class ScaleLike implements RemediationAction {
        public String id() {
            return "scale";
        }

        public String description() {
            return "scale";
        }

        public Set<String> targetKinds() {
            return Set.of("Deployment");
        }

        public Map<String, Object> parametersSchema() {
            return Map.of("type", "object", "additionalProperties", false, "required", List.of("replicas"),
                    "properties", Map.of("replicas", Map.of("type", "integer", "minimum", 0, "maximum", 50)));
        }

        public ActionResult execute(ActionRequest request, ActionContext context) {
            return ActionResult.applied("scaled");
        }
    }

    static final class RestartLike implements RemediationAction {
        public String id() {
            return "restart-pod";
        }

        public String description() {
            return "restart";
        }

        public Set<String> targetKinds() {
            return Set.of("Pod");
        }

        public ActionResult execute(ActionRequest request, ActionContext context) {
            return ActionResult.applied("restarted");
        }
    }

    private final ObjectIndex view = new ObjectIndex(List.of(
            new V1Deployment().metadata(new V1ObjectMeta().name("web").namespace("default").uid("d1")),
            new V1ReplicaSet().metadata(new V1ObjectMeta().name("web-abc").namespace("default").uid("rs1")
                    .addOwnerReferencesItem(new V1OwnerReference().kind("Deployment").name("web").uid("d1").controller(true))),
            new V1Pod().metadata(new V1ObjectMeta().name("web-abc-1").namespace("default").uid("p1")
                            .addOwnerReferencesItem(new V1OwnerReference().kind("ReplicaSet").name("web-abc").uid("rs1").controller(true)))
                    .spec(new V1PodSpec().nodeName("node-1"))));

    private final ResourceRef pod = new ResourceRef("Pod", "default", "web-abc-1", "p1");
    private final ResourceRef deployment = new ResourceRef("Deployment", "default", "web", "d1");
    private final Incident incident = new Incident("crash-loop-1", "crash-loop:Deployment/default/web", "crash-loop",
            Severity.HIGH, deployment, List.of(deployment, pod),
            List.of(new Finding("crash-loop", "crash-loop", Severity.HIGH, pod, "crash", Map.of(), NOW)),
            IncidentState.OPEN, NOW, NOW);

    private List<PlannedAction> plan(Map<String, String> config, List<SafetyPolicy> policies, ProposedAction... proposals) {
        EngineConfig ec = EngineConfig.from(new MapConfig(config));
        DecisionFlow flow = new DecisionFlow(ec, Map.of("scale", new ScaleLike(), "restart-pod", new RestartLike()),
                policies, null);
        Diagnosis d = new Diagnosis("bad-rollout", "x", "y", 0.9, "rules", List.of(proposals), Map.of());
        var ctx = new EngineContexts.Safety(incident, Map.of(), false, view, new MapConfig(config), CLOCK, new ActionLedger());
        return flow.plan(incident, d, ctx);
    }

    private static ProposedAction restart(ResourceRef target, double confidence) {
        return new ProposedAction("restart-pod", target, Map.of(), confidence, "restart it");
    }

    @Test
    void thresholdsDecideExecuteApprovalOrLogOnly() {
        List<PlannedAction> p = plan(Map.of(), List.of(), restart(pod, 0.85), restart(pod, 0.7), restart(pod, 0.5));
        assertEquals(Decision.EXECUTE, p.get(0).decision());
        assertEquals(Decision.APPROVAL, p.get(1).decision());
        assertEquals(Decision.LOG_ONLY, p.get(2).decision());
        assertTrue(p.get(1).reasons().get(0).contains("confidence_threshold"), p.get(1).reasons().toString());
    }

    @Test
    void approvalModeHoldsEvenHighConfidence() {
        List<PlannedAction> p = plan(Map.of("remediation.mode", "approval"), List.of(), restart(pod, 0.99));
        assertEquals(Decision.APPROVAL, p.get(0).decision());
    }

    @Test
    void unknownActionTypeIsDenied() {
        List<PlannedAction> p = plan(Map.of(), List.of(),
                new ProposedAction("delete-namespace", deployment, Map.of(), 0.99, "llm said so"));
        assertEquals(Decision.DENIED, p.get(0).decision());
        assertTrue(p.get(0).reasons().get(0).contains("unknown action type"));
    }

    @Test
    void targetOutsideTheIncidentIsDeniedWhateverTheConfidence() {
        ResourceRef other = ResourceRef.of("Deployment", "payments", "ledger");
        List<PlannedAction> p = plan(Map.of(), List.of(),
                new ProposedAction("scale", other, Map.of("replicas", 3), 1.0, "scale other"));
        assertEquals(Decision.DENIED, p.get(0).decision());
        assertTrue(p.get(0).reasons().stream().anyMatch(r -> r.contains("blast radius")), p.get(0).reasons().toString());
    }

    @Test
    void parametersOutsideTheSchemaAreDenied() {
        List<PlannedAction> p = plan(Map.of(), List.of(),
                new ProposedAction("scale", deployment, Map.of("replicas", 10000), 0.95, "more"),
                new ProposedAction("scale", deployment, Map.of("replicas", 3, "command", "rm -rf /"), 0.95, "x"),
                new ProposedAction("scale", deployment, Map.of(), 0.95, "missing"),
                new ProposedAction("scale", deployment, Map.of("replicas", 3), 0.95, "ok"));
        assertEquals(Decision.DENIED, p.get(0).decision(), p.get(0).reasons().toString());
        assertTrue(p.get(0).reasons().toString().contains("replicas"), p.get(0).reasons().toString());
        assertEquals(Decision.DENIED, p.get(1).decision());
        assertTrue(p.get(1).reasons().toString().contains("command"), p.get(1).reasons().toString());
        assertEquals(Decision.DENIED, p.get(2).decision());
        assertEquals(Decision.EXECUTE, p.get(3).decision(), p.get(3).reasons().toString());
    }

    @Test
    void wrongTargetKindIsDenied() {
        List<PlannedAction> p = plan(Map.of(), List.of(), restart(deployment, 0.9));
        assertEquals(Decision.DENIED, p.get(0).decision());
        assertTrue(p.get(0).reasons().get(0).contains("does not act on kind Deployment"));
    }

    @Test
    void mostRestrictivePolicyWinsAndAThrowingPolicyDenies() {
        SafetyPolicy approve = new SafetyPolicy() {
            public String id() {
                return "freeze";
            }

            public Verdict evaluate(ProposedAction action, io.kubeincident.spi.SafetyContext context) {
                return Verdict.requireApproval("change freeze");
            }
        };
        SafetyPolicy broken = new SafetyPolicy() {
            public String id() {
                return "broken";
            }

            public Verdict evaluate(ProposedAction action, io.kubeincident.spi.SafetyContext context) {
                throw new IllegalStateException("boom");
            }
        };
        PlannedAction held = plan(Map.of(), List.of(approve), restart(pod, 0.95)).get(0);
        assertEquals(Decision.APPROVAL, held.decision());
        assertEquals(List.of("freeze: change freeze"), held.verdict().reasons());

        PlannedAction denied = plan(Map.of(), List.of(approve, broken), restart(pod, 0.95)).get(0);
        assertEquals(Decision.DENIED, denied.decision());
        assertTrue(denied.reasons().get(0).startsWith("broken: failed"), denied.reasons().toString());
    }

    @Test
    void theNodeOfAnIncidentPodIsInsideTheBlastRadius() {
        assertTrue(BlastRadius.contains(BlastRadius.of(incident, view), ResourceRef.cluster("Node", "node-1")));
        assertTrue(!BlastRadius.contains(BlastRadius.of(incident, view), ResourceRef.cluster("Node", "node-2")));
    }

    /** Denies restart-pod and offers a replacement (like GitOps routing offering argocd-rollback). */
    static final class Rerouting implements SafetyPolicy, io.kubeincident.spi.PlanRewriter {
        private final ProposedAction replacement;

        Rerouting(ProposedAction replacement) {
            this.replacement = replacement;
        }

        public String id() {
            return "gitops";
        }

        public Verdict evaluate(ProposedAction action, io.kubeincident.spi.SafetyContext context) {
            return action.actionType().equals("restart-pod") ? Verdict.deny("self-heal would revert this") : Verdict.allow();
        }

        public java.util.Optional<ProposedAction> rewrite(ProposedAction denied, io.kubeincident.spi.SafetyContext context) {
            if (replacement == null) throw new IllegalStateException("rewriter bug");
            return java.util.Optional.of(replacement);
        }
    }

    @Test
    void aDenyingRewriterAddsItsReplacementWhichGoesThroughEveryCheck() {
        ProposedAction scale = new ProposedAction("scale", deployment, Map.of("replicas", 2), 0.9, "via gitops");
        List<PlannedAction> p = plan(Map.of(), List.of(new Rerouting(scale)), restart(pod, 0.9));
        assertEquals(2, p.size());
        assertEquals(Decision.DENIED, p.get(0).decision());
        assertEquals("scale", p.get(1).action().actionType());
        assertEquals(Decision.EXECUTE, p.get(1).decision(), p.get(1).reasons().toString());
        assertTrue(p.get(1).reasons().get(0).contains("replacement"));
    }

    @Test
    void aReplacementOutsideTheBlastRadiusIsDeniedAndAFailingRewriterLeavesTheDeny() {
        ProposedAction elsewhere = new ProposedAction("scale", ResourceRef.of("Deployment", "payments", "ledger"),
                Map.of("replicas", 2), 0.9, "sneaky");
        List<PlannedAction> p = plan(Map.of(), List.of(new Rerouting(elsewhere)), restart(pod, 0.9));
        assertEquals(2, p.size());
        assertEquals(Decision.DENIED, p.get(1).decision());
        assertTrue(p.get(1).reasons().toString().contains("blast radius"));

        List<PlannedAction> q = plan(Map.of(), List.of(new Rerouting(null)), restart(pod, 0.9));
        assertEquals(1, q.size());
        assertEquals(Decision.DENIED, q.get(0).decision());
    }
}

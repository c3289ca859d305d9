package io.kubeincident.core.kit;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.AnalysisProvenance;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.core.exec.EngineContexts;
import io.kubeincident.core.safety.CorroborationPolicy;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.Workload;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.kubeincident.core.kit.PolicyCases.about;
import static io.kubeincident.core.kit.PolicyCases.action;

/** CorroborationPolicy passes the policy compatibility kit, as a third-party policy would. */
class CorroborationPolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
    @Override
    protected SafetyPolicy policy() {
        return CorroborationPolicy.from(ConfigView.empty());
    }

    @Override
    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return CorroborationPolicy.Provider.class;
    }

    /**
     * A generative analyzer proposes a rollback: with no independent analysis, or one that proposes
     * something else, it needs approval.
     */
    @Override
    protected List<Restricted> mustRestrict() {
        Workload w = DeploymentBuilder.deployment("shop", "cart").replicas(2).build();
        ProposedAction rollback = action(ActionTypes.ROLLBACK_DEPLOYMENT, TestContexts.ref(w.deployment()), Map.of());
        Diagnosis model = new Diagnosis("bad-rollout", "cause", "why", 0.99, "openai", List.of(rollback), Map.of());
        Diagnosis rules = new Diagnosis("bad-config", "cause", "why", 0.9, "rules",
                List.of(action(ActionTypes.RESTART_POD, TestContexts.ref(w.pods().get(0)), Map.of())), Map.of());
        return List.of(
                Restricted.approval("a model's rollback with no second opinion", rollback,
                        withProvenance(about(w, rollback), new AnalysisProvenance(Evidence.empty(), model, true, null))),
                Restricted.approval("a model's rollback the rules do not propose", rollback,
                        withProvenance(about(w, rollback), new AnalysisProvenance(Evidence.empty(), model, true, rules))));
    }

    /** The kit's context shape with the provenance the engine attaches to a plan from an analysis. */
    private static SafetyContext withProvenance(SafetyContext c, AnalysisProvenance p) {
        Map<String, io.kubeincident.api.ActionDescriptor> descriptors = new java.util.HashMap<>();
        c.action(ActionTypes.ROLLBACK_DEPLOYMENT).ifPresent(d -> descriptors.put(d.id(), d));
        return new EngineContexts.Safety(c.incident(), descriptors, c.dryRun(), c.cluster(), c.config(), c.clock(),
                c.history(), Optional.of(p));
    }
}

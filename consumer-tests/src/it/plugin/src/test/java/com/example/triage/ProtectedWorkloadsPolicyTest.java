package com.example.triage;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.context.ListClusterView;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.Workload;

import java.util.List;
import java.util.Map;

// tag::policy-kit[]
class ProtectedWorkloadsPolicyTest extends SafetyPolicyCompatibilityKit {
    @Override
    protected SafetyPolicy policy() {
        return new ProtectedWorkloadsPolicy();
    }

    @Override
    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return TriageProviders.Policy.class;
    }

    /** The deny path: a cluster view in which the Deployment carries the protection label. */
    @Override
    protected List<Restricted> mustRestrict() {
        Workload w = DeploymentBuilder.deployment("shop", "cart").replicas(1)
                .deploymentLabel(ProtectedWorkloadsPolicy.LABEL, "true")   // on the Deployment, not its pods
                .build();
        ProposedAction onDeployment = new ProposedAction(MarkForTriageAction.ID, TestContexts.ref(w.deployment()),
                Map.of(), 0.9, "test");
        ProposedAction onItsPod = new ProposedAction("restart-pod", TestContexts.ref(w.pods().get(0)), Map.of(), 0.9, "test");
        return List.of(
                Restricted.deny("the protected Deployment", onDeployment, contextWith(w, onDeployment)),
                Restricted.deny("a pod the protected Deployment owns", onItsPod, contextWith(w, onItsPod)));
    }

    private static io.kubeincident.spi.SafetyContext contextWith(Workload w, ProposedAction action) {
        return TestContexts.safety()
                .cluster(ListClusterView.of(w.objects()))
                .incident(TestContexts.incident(SelfReportedDegradedDetector.INCIDENT_TYPE,
                        TestContexts.ref(w.deployment()), action.target()))
                .actions(new ActionDescriptor(action.actionType(), "test", java.util.Set.of(action.target().kind()),
                        Map.of("type", "object", "additionalProperties", false)))
                .build();
    }
}
// end::policy-kit[]

package io.kubeincident.core.kit;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.core.safety.OptOutPolicy;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.context.ListClusterView;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.Workload;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** OptOutPolicy passes the policy compatibility kit, as a third-party policy would. */
class OptOutPolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
    @Override
    protected SafetyPolicy policy() {
        return new OptOutPolicy(SafetyConfig.defaults());
    }

    @Override
    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return OptOutPolicy.Provider.class;
    }

    /** A pod of a Deployment that opted out: the label on the Deployment covers what it owns. */
    @Override
    protected List<Restricted> mustRestrict() {
        Workload w = DeploymentBuilder.deployment("shop", "cart").replicas(1)
                .deploymentLabel("kube-incident.io/ignore", "true").build();
        ProposedAction restart = new ProposedAction(ActionTypes.RESTART_POD, TestContexts.ref(w.pods().get(0)), Map.of(), 0.95, "kit");
        return List.of(Restricted.deny("a pod of an opted-out Deployment", restart, TestContexts.safety()
                .cluster(ListClusterView.of(w.objects()))
                .incident(TestContexts.incident(IncidentTypes.CRASH_LOOP, TestContexts.ref(w.deployment()), restart.target()))
                .actions(new ActionDescriptor(ActionTypes.RESTART_POD, "kit", Set.of("Pod"), Map.of("type", "object", "additionalProperties", false)))
                .build()));
    }
}

package io.kubeincident.core.kit;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.core.safety.AvailabilityPolicy;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.Workload;

import java.util.List;
import java.util.Map;

import static io.kubeincident.core.kit.PolicyCases.about;
import static io.kubeincident.core.kit.PolicyCases.action;

/** AvailabilityPolicy passes the policy compatibility kit, as a third-party policy would. */
class AvailabilityPolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
    @Override
    protected SafetyPolicy policy() {
        return new AvailabilityPolicy();
    }

    @Override
    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return AvailabilityPolicy.Provider.class;
    }

    /** A single-replica Deployment whose one pod is Ready: restarting it or scaling to zero takes it down. */
    @Override
    protected List<Restricted> mustRestrict() {
        Workload w = DeploymentBuilder.deployment("shop", "cart").replicas(1).build();
        ProposedAction restart = action(ActionTypes.RESTART_POD, TestContexts.ref(w.pods().get(0)), Map.of());
        ProposedAction toZero = action(ActionTypes.SCALE, TestContexts.ref(w.deployment()), Map.of("replicas", 0));
        return List.of(Restricted.deny("restart of the last ready replica", restart, about(w, restart)),
                Restricted.deny("scaling a serving Deployment to zero", toZero, about(w, toZero)));
    }
}

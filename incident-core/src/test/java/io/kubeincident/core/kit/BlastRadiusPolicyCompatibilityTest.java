package io.kubeincident.core.kit;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.safety.BlastRadiusPolicy;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.Workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.kubeincident.core.kit.PolicyCases.about;
import static io.kubeincident.core.kit.PolicyCases.action;

/** BlastRadiusPolicy passes the policy compatibility kit, as a third-party policy would. */
class BlastRadiusPolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
    @Override
    protected SafetyPolicy policy() {
        return new BlastRadiusPolicy();
    }

    @Override
    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return BlastRadiusPolicy.Provider.class;
    }

    /** An incident about shop/cart; another workload, in the view too, is outside it. */
    @Override
    protected List<Restricted> mustRestrict() {
        Workload cart = DeploymentBuilder.deployment("shop", "cart").replicas(1).build();
        Workload billing = DeploymentBuilder.deployment("payments", "billing").replicas(1).build();
        List<io.kubernetes.client.common.KubernetesObject> both = new ArrayList<>(cart.objects());
        both.addAll(billing.objects());
        ProposedAction rollback = action(ActionTypes.ROLLBACK_DEPLOYMENT, ResourceRef.of("Deployment", "payments", "billing"), Map.of());
        ProposedAction restart = action(ActionTypes.RESTART_POD, ResourceRef.of("Pod", "payments",
                billing.pods().get(0).getMetadata().getName()), Map.of());
        return List.of(
                Restricted.deny("a rollback of a workload outside the incident", rollback,
                        about(cart, rollback, both, new io.kubeincident.testkit.context.InMemoryActionHistory()).build()),
                Restricted.deny("a restart of another workload's pod", restart,
                        about(cart, restart, both, new io.kubeincident.testkit.context.InMemoryActionHistory()).build()));
    }
}

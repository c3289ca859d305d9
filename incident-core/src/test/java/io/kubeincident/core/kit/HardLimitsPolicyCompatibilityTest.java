package io.kubeincident.core.kit;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.safety.HardLimitsPolicy;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.context.InMemoryActionHistory;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.NodeBuilder;
import io.kubeincident.testkit.scenario.Workload;
import io.kubernetes.client.common.KubernetesObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.kubeincident.core.kit.PolicyCases.about;
import static io.kubeincident.core.kit.PolicyCases.action;

/** HardLimitsPolicy passes the policy compatibility kit, as a third-party policy would. */
class HardLimitsPolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
    @Override
    protected SafetyPolicy policy() {
        return new HardLimitsPolicy(SafetyConfig.defaults());
    }

    @Override
    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return HardLimitsPolicy.Provider.class;
    }

    /** Defaults: max_replicas 20, max_scale_factor 2, max_resource_factor 2; a cluster of one node. */
    @Override
    protected List<Restricted> mustRestrict() {
        Workload w = DeploymentBuilder.deployment("shop", "cart").replicas(2).build();
        ResourceRef cart = TestContexts.ref(w.deployment());
        ProposedAction tooMany = action(ActionTypes.SCALE, cart, Map.of("replicas", 40));
        ProposedAction tooFast = action(ActionTypes.SCALE, cart, Map.of("replicas", 5));
        ProposedAction tooBig = action(ActionTypes.ADJUST_RESOURCES, cart, Map.of("factor", 8));
        List<KubernetesObject> oneNode = new ArrayList<>(w.objects());
        oneNode.add(NodeBuilder.node("node-1").clock(TestContexts.CLOCK).build());
        ProposedAction drain = action(ActionTypes.DRAIN_NODE, ResourceRef.cluster("Node", "node-1"), Map.of());
        return List.of(
                Restricted.deny("scaling 2 -> 40, above safety.max_replicas", tooMany, about(w, tooMany)),
                Restricted.deny("scaling 2 -> 5, above safety.max_scale_factor", tooFast, about(w, tooFast)),
                Restricted.deny("a resource raise x8, above safety.max_resource_factor", tooBig, about(w, tooBig)),
                Restricted.deny("draining the last schedulable node", drain,
                        about(w, drain, oneNode, new InMemoryActionHistory()).build()));
    }
}

package io.kubeincident.core.kit;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.safety.ActionEnabledPolicy;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;

import java.util.List;
import java.util.Map;

/** ActionEnabledPolicy passes the policy compatibility kit, as a third-party policy would. */
class ActionEnabledPolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
    @Override
    protected SafetyPolicy policy() {
        return new ActionEnabledPolicy(ConfigView.of(Map.of("remediation.enable_scaling", "false")));
    }

    @Override
    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return ActionEnabledPolicy.Provider.class;
    }

    @Override
    protected List<Restricted> mustRestrict() {
        ProposedAction scale = new ProposedAction(ActionTypes.SCALE, ResourceRef.of("Deployment", "default", "web"),
                Map.of("replicas", 4), 0.95, "kit");
        ProposedAction drain = new ProposedAction(ActionTypes.DRAIN_NODE, ResourceRef.cluster("Node", "node-1"), Map.of(), 0.95, "kit");
        return List.of(Restricted.deny("scaling switched off", scale, context(scale, false)),
                Restricted.deny("node drain, off by default", drain, context(drain, false)));
    }
}

package io.kubeincident.core.kit;

import io.kubeincident.api.ConfigView;
import io.kubeincident.core.safety.ActionEnabledPolicy;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;

/** ActionEnabledPolicy passes the policy compatibility kit, as a third-party policy would. */
class ActionEnabledPolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
    @Override
    protected SafetyPolicy policy() {
        return new ActionEnabledPolicy(ConfigView.empty());
    }

    @Override
    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return ActionEnabledPolicy.Provider.class;
    }
}

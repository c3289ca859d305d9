package io.kubeincident.core.kit;

import io.kubeincident.api.ConfigView;
import io.kubeincident.core.safety.CorroborationPolicy;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;

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
}

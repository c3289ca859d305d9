package io.kubeincident.core.kit;

import io.kubeincident.core.safety.HardLimitsPolicy;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;

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
}

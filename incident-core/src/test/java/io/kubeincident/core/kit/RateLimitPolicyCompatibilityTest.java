package io.kubeincident.core.kit;

import io.kubeincident.core.safety.RateLimitPolicy;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;

/** RateLimitPolicy passes the policy compatibility kit, as a third-party policy would. */
class RateLimitPolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
    @Override
    protected SafetyPolicy policy() {
        return new RateLimitPolicy(SafetyConfig.defaults());
    }

    @Override
    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return RateLimitPolicy.Provider.class;
    }
}

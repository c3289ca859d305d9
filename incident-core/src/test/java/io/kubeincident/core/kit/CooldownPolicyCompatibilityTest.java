package io.kubeincident.core.kit;

import io.kubeincident.core.safety.CooldownPolicy;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;

/** CooldownPolicy passes the policy compatibility kit, as a third-party policy would. */
class CooldownPolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
    @Override
    protected SafetyPolicy policy() {
        return new CooldownPolicy(SafetyConfig.defaults());
    }

    @Override
    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return CooldownPolicy.Provider.class;
    }
}

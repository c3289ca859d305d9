package io.kubeincident.core.kit;

import io.kubeincident.core.safety.BlastRadiusPolicy;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;

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
}

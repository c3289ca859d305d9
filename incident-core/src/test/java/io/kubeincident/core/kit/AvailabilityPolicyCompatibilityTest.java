package io.kubeincident.core.kit;

import io.kubeincident.core.safety.AvailabilityPolicy;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;

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
}

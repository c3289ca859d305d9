package io.kubeincident.core.kit;

import io.kubeincident.core.safety.RetryBudgetPolicy;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;

/** RetryBudgetPolicy passes the policy compatibility kit, as a third-party policy would. */
class RetryBudgetPolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
    @Override
    protected SafetyPolicy policy() {
        return new RetryBudgetPolicy(SafetyConfig.defaults());
    }

    @Override
    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return RetryBudgetPolicy.Provider.class;
    }
}

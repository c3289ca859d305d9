package io.kubeincident.core.kit;

import io.kubeincident.core.safety.ExcludedNamespacesPolicy;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;

/** ExcludedNamespacesPolicy passes the policy compatibility kit, as a third-party policy would. */
class ExcludedNamespacesPolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
    @Override
    protected SafetyPolicy policy() {
        return new ExcludedNamespacesPolicy(SafetyConfig.defaults());
    }

    @Override
    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return ExcludedNamespacesPolicy.Provider.class;
    }
}

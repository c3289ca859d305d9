package io.kubeincident.core.kit;

import io.kubeincident.api.ConfigView;
import io.kubeincident.core.safety.ChangeFreezePolicy;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;

/** ChangeFreezePolicy passes the policy compatibility kit, as a third-party policy would. */
class ChangeFreezePolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
    @Override
    protected SafetyPolicy policy() {
        return new ChangeFreezePolicy(SafetyConfig.from(ConfigView.of(java.util.Map.of("safety.change_freeze.always.cron", "* * * * *", "safety.change_freeze.always.duration", "1h"))).freezeWindows());
    }

    @Override
    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return ChangeFreezePolicy.Provider.class;
    }
}

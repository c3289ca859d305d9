package io.kubeincident.core.kit;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.safety.ExcludedNamespacesPolicy;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;

import java.util.List;
import java.util.Map;

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

    @Override
    protected List<Restricted> mustRestrict() {
        ProposedAction restart = new ProposedAction(ActionTypes.RESTART_POD, ResourceRef.of("Pod", "kube-system", "coredns-1"),
                Map.of(), 0.95, "kit");
        return List.of(Restricted.deny("a restart in kube-system", restart, context(restart, false)));
    }
}

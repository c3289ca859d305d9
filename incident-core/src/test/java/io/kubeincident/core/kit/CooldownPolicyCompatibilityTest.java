package io.kubeincident.core.kit;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.safety.CooldownPolicy;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.context.InMemoryActionHistory;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.Workload;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.kubeincident.core.kit.PolicyCases.about;
import static io.kubeincident.core.kit.PolicyCases.action;
import static io.kubeincident.core.kit.PolicyCases.entry;

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

    /** The ledger holds a rollout restart of shop/cart applied 3 minutes ago (cooldown 10m by default). */
    @Override
    protected List<Restricted> mustRestrict() {
        Workload w = DeploymentBuilder.deployment("shop", "cart").replicas(2).build();
        ResourceRef cart = TestContexts.ref(w.deployment());
        ProposedAction rollback = action(ActionTypes.ROLLBACK_DEPLOYMENT, cart, Map.of());
        InMemoryActionHistory ledger = new InMemoryActionHistory()
                .add(entry("crash-loop:" + cart.key(), ActionTypes.ROLLOUT_RESTART, cart, Duration.ofMinutes(3), "applied"));
        return List.of(Restricted.deny("a rollback 3 minutes after a restart of the same Deployment", rollback,
                about(w, rollback, w.objects(), ledger).build()));
    }
}

package io.kubeincident.core.kit;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.safety.RetryBudgetPolicy;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.SafetyContext;
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

    /** Default budget 2 within 6h: the ledger holds two applied restarts for this incident's fingerprint. */
    @Override
    protected List<Restricted> mustRestrict() {
        Workload w = DeploymentBuilder.deployment("shop", "cart").replicas(2).build();
        ProposedAction restart = action(ActionTypes.RESTART_POD, TestContexts.ref(w.pods().get(0)), Map.of());
        InMemoryActionHistory ledger = new InMemoryActionHistory();
        SafetyContext ctx = about(w, restart, w.objects(), ledger).build();
        String fp = ctx.incident().fingerprint();
        ledger.add(entry(fp, ActionTypes.RESTART_POD, ResourceRef.of("Pod", "shop", "cart-old-1"), Duration.ofHours(2), "applied"))
                .add(entry(fp, ActionTypes.ROLLOUT_RESTART, TestContexts.ref(w.deployment()), Duration.ofMinutes(30), "applied"));
        return List.of(Restricted.deny("a third try for the same fingerprint within the window", restart, ctx));
    }
}

package io.kubeincident.core.kit;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.core.safety.ChangeFreezePolicy;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.context.InMemoryActionHistory;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.Workload;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static io.kubeincident.core.kit.PolicyCases.about;
import static io.kubeincident.core.kit.PolicyCases.action;

/** ChangeFreezePolicy passes the policy compatibility kit, as a third-party policy would. */
class ChangeFreezePolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
    /** A weekend freeze of the shop namespace: Friday 18:00 for 62 hours. */
    private static final Map<String, String> WEEKEND = Map.of("safety.change_freeze.weekend.cron", "0 18 * * FRI",
            "safety.change_freeze.weekend.duration", "62h", "safety.change_freeze.weekend.namespaces", "shop");

    @Override
    protected SafetyPolicy policy() {
        return new ChangeFreezePolicy(SafetyConfig.from(ConfigView.of(WEEKEND)).freezeWindows());
    }

    @Override
    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return ChangeFreezePolicy.Provider.class;
    }

    /** Saturday morning, inside the window: a restart in shop needs a human's approval. */
    @Override
    protected List<Restricted> mustRestrict() {
        Workload w = DeploymentBuilder.deployment("shop", "cart").replicas(2).build();
        ProposedAction restart = action(ActionTypes.ROLLOUT_RESTART, TestContexts.ref(w.deployment()), Map.of());
        Clock saturday = Clock.fixed(Instant.parse("2025-06-07T09:00:00Z"), ZoneOffset.UTC);
        return List.of(Restricted.approval("a rollout restart during the weekend freeze", restart,
                about(w, restart, w.objects(), new InMemoryActionHistory()).clock(saturday).config(WEEKEND).build()));
    }
}

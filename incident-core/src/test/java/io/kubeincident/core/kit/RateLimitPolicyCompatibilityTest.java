package io.kubeincident.core.kit;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.safety.RateLimitPolicy;
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

/** RateLimitPolicy passes the policy compatibility kit, as a third-party policy would. */
class RateLimitPolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
    @Override
    protected SafetyPolicy policy() {
        return new RateLimitPolicy(SafetyConfig.defaults());
    }

    @Override
    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return RateLimitPolicy.Provider.class;
    }

    /** Defaults: 3 actions at once, 20 an hour, 10 an hour per namespace; the ledger already holds that many. */
    @Override
    protected List<Restricted> mustRestrict() {
        Workload w = DeploymentBuilder.deployment("shop", "cart").replicas(2).build();
        ProposedAction restart = action(ActionTypes.RESTART_POD, TestContexts.ref(w.pods().get(0)), Map.of());
        InMemoryActionHistory running = new InMemoryActionHistory();
        for (String ns : List.of("a", "b", "c")) {
            running.add(entry("fp-" + ns, ActionTypes.ROLLOUT_RESTART, ResourceRef.of("Deployment", ns, "app"),
                    Duration.ofMinutes(1), "running"));
        }
        InMemoryActionHistory busyHour = new InMemoryActionHistory();
        for (int i = 0; i < 10; i++) {
            busyHour.add(entry("fp-" + i, ActionTypes.RESTART_POD, ResourceRef.of("Pod", "shop", "cart-" + i),
                    Duration.ofMinutes(5 + i), "applied"));
        }
        InMemoryActionHistory busyCluster = new InMemoryActionHistory();
        for (int i = 0; i < 20; i++) {
            busyCluster.add(entry("fp-" + i, ActionTypes.RESTART_POD, ResourceRef.of("Pod", "ns-" + i, "p"),
                    Duration.ofMinutes(2 + i), "applied"));
        }
        return List.of(
                Restricted.deny("3 actions running at once", restart, about(w, restart, w.objects(), running).build()),
                Restricted.deny("10 actions in namespace shop in the last hour", restart,
                        about(w, restart, w.objects(), busyHour).build()),
                Restricted.deny("20 actions in the cluster in the last hour", restart,
                        about(w, restart, w.objects(), busyCluster).build()));
    }
}

package io.kubeincident.core.kit;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ActionHistory;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.testkit.context.InMemoryActionHistory;
import io.kubeincident.testkit.context.ListClusterView;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.scenario.Workload;
import io.kubernetes.client.common.KubernetesObject;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Shared shapes for the deny paths of the core policies' kit tests: a workload, its incident, a ledger. */
final class PolicyCases {

    static ProposedAction action(String type, ResourceRef target, Map<String, Object> params) {
        return new ProposedAction(type, target, params, 0.95, "kit");
    }

    /** A crash-loop incident about {@code w}'s Deployment, with {@code objects} in the view and {@code history}. */
    static TestContexts.SafetyBuilder about(Workload w, ProposedAction action, List<KubernetesObject> objects, ActionHistory history) {
        return TestContexts.safety()
                .cluster(ListClusterView.of(objects))
                .incident(TestContexts.incident(IncidentTypes.CRASH_LOOP, TestContexts.ref(w.deployment()),
                        TestContexts.ref(w.pods().get(0))))
                .actions(new ActionDescriptor(action.actionType(), "kit", Set.of(action.target().kind()),
                        Map.of("type", "object", "additionalProperties", false)))
                .history(history);
    }

    static SafetyContext about(Workload w, ProposedAction action) {
        return about(w, action, w.objects(), new InMemoryActionHistory()).build();
    }

    /** A real (not dry-run) ledger entry started {@code ago} before the kit's clock. */
    static ActionHistory.Entry entry(String fingerprint, String type, ResourceRef target, Duration ago, String result) {
        return new ActionHistory.Entry("inc-earlier", fingerprint, type, target, TestContexts.NOW.minus(ago), false, result);
    }

    private PolicyCases() {
    }
}

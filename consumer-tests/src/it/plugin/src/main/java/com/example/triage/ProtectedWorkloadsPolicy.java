package com.example.triage;

import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Verdict;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Pod;

import java.util.Map;
import java.util.Optional;

// tag::policy[]
/**
 * Denies every automatic action on a workload labelled {@code triage.example.com/protected=true}: the
 * target itself or anything in its owner chain (a Pod of a protected Deployment is protected).
 * Reads only the engine's cluster view; no API calls, no state.
 */
public final class ProtectedWorkloadsPolicy implements SafetyPolicy {
    public static final String ID = "protected-workloads";
    public static final String LABEL = "triage.example.com/protected";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Verdict evaluate(ProposedAction action, SafetyContext context) {
        for (ResourceRef ref : context.ownerChain(action.target())) {
            if (isProtected(context.cluster(), ref)) {
                return Verdict.deny(ref + " is labelled " + LABEL + "=true; no automatic action on it or what it owns");
            }
        }
        return Verdict.allow();
    }

    private static boolean isProtected(ClusterView cluster, ResourceRef ref) {
        if (ref.namespace() == null) return false;
        Optional<? extends KubernetesObject> object = switch (ref.kind()) {
            case "Pod" -> cluster.get(V1Pod.class, ref.namespace(), ref.name());
            case "Deployment" -> cluster.get(V1Deployment.class, ref.namespace(), ref.name());
            default -> Optional.empty();
        };
        Map<String, String> labels = object.map(o -> o.getMetadata().getLabels()).orElse(null);
        return labels != null && "true".equals(labels.get(LABEL));
    }
}
// end::policy[]

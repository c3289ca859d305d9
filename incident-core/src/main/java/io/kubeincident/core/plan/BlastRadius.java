package io.kubeincident.core.plan;

import io.kubeincident.api.Incident;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.correlate.OwnerChains;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.openapi.models.V1Pod;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The objects an incident's actions may touch: its resources, their owner chains and the nodes its pods
 * run on. Enforced by the engine itself for every plan, whatever the policies say (safety invariant 1).
 */
public final class BlastRadius {
    private BlastRadius() {
    }

    public static Set<ResourceRef> of(Incident incident, ClusterView view) {
        Set<ResourceRef> allowed = new LinkedHashSet<>();
        allowed.add(incident.rootResource());
        for (ResourceRef r : incident.resources()) {
            allowed.addAll(OwnerChains.chain(r, view));
            if ("Pod".equals(r.kind())) {
                view.get(V1Pod.class, r.namespace(), r.name())
                        .map(p -> p.getSpec() == null ? null : p.getSpec().getNodeName())
                        .ifPresent(node -> allowed.add(ResourceRef.cluster("Node", node)));
            }
        }
        for (var f : incident.findings()) {
            String node = f.fact("nodeName");
            if (node != null && !node.isBlank()) allowed.add(ResourceRef.cluster("Node", node));
        }
        return allowed;
    }

    public static boolean contains(Set<ResourceRef> allowed, ResourceRef target) {
        for (ResourceRef r : allowed) {
            if (r.sameTarget(target)) return true;
        }
        return false;
    }
}

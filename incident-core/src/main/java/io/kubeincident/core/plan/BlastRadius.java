package io.kubeincident.core.plan;

import io.kubeincident.api.Incident;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.correlate.OwnerChains;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.core.action.Workloads;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The objects an incident's actions may touch: its resources, their owner chains, the nodes its pods
 * run on, and the ConfigMaps and Secrets its pods and workloads read (by reference; their data is never
 * looked at). Enforced by the engine itself for every plan, whatever the policies say (safety invariant 1).
 */
public final class BlastRadius {
    private BlastRadius() {
    }

    public static Set<ResourceRef> of(Incident incident, ClusterView view) {
        Set<ResourceRef> allowed = new LinkedHashSet<>();
        allowed.add(incident.rootResource());
        for (ResourceRef r : incident.resources()) {
            List<ResourceRef> chain = OwnerChains.chain(r, view);
            allowed.addAll(chain);
            if ("Pod".equals(r.kind())) {
                view.get(V1Pod.class, r.namespace(), r.name())
                        .map(p -> p.getSpec() == null ? null : p.getSpec().getNodeName())
                        .ifPresent(node -> allowed.add(ResourceRef.cluster("Node", node)));
            }
            for (ResourceRef link : chain) addConfigReferences(allowed, link, view);
        }
        for (var f : incident.findings()) {
            String node = f.fact("nodeName");
            if (node != null && !node.isBlank()) allowed.add(ResourceRef.cluster("Node", node));
        }
        return allowed;
    }

    /** ConfigMaps and Secrets named in the pod spec of {@code ref} (a pod or a workload's template). */
    private static void addConfigReferences(Set<ResourceRef> allowed, ResourceRef ref, ClusterView view) {
        if (ref.namespace() == null) return;
        Optional<KubernetesObject> o = Workloads.cached(view, ref);
        if (o.isEmpty()) return;
        V1PodSpec spec = o.get() instanceof V1Pod p ? p.getSpec()
                : Workloads.podTemplate(o.get()).map(t -> t.getSpec()).orElse(null);
        if (spec == null) return;
        Workloads.referencedConfig(spec, false).forEach(n -> allowed.add(ResourceRef.of("ConfigMap", ref.namespace(), n)));
        Workloads.referencedConfig(spec, true).forEach(n -> allowed.add(ResourceRef.of("Secret", ref.namespace(), n)));
    }

    public static boolean contains(Set<ResourceRef> allowed, ResourceRef target) {
        for (ResourceRef r : allowed) {
            if (r.sameTarget(target)) return true;
        }
        return false;
    }
}

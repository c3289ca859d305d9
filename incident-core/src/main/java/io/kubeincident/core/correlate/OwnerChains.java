package io.kubeincident.core.correlate;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.monitor.Kinds;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V2CrossVersionObjectReference;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Walks controller ownerReferences up to the root owner: pod → ReplicaSet → Deployment, pod → Job →
 * CronJob, pod → StatefulSet/DaemonSet. The owner reference itself names the next step, so the chain
 * reaches kinds that are not cached (CronJob); it stops where the view does not know the object. A
 * HorizontalPodAutoscaler's chain continues with its scale target, which is what its incident is about,
 * unless the view knows that target's kind and has no such object: then the autoscaler is its own root.
 */
public final class OwnerChains {
    private static final int MAX_DEPTH = 8;
    static final String POD_TEMPLATE_HASH = "pod-template-hash";

    private OwnerChains() {
    }

    /** The chain from {@code ref} (first) to its root owner (last), as far as the view knows it. */
    public static List<ResourceRef> chain(ResourceRef ref, ClusterView view) {
        List<ResourceRef> chain = new ArrayList<>();
        chain.add(ref);
        Optional<? extends KubernetesObject> current = find(ref, view);
        for (int depth = 0; depth < MAX_DEPTH && current.isPresent(); depth++) {
            KubernetesObject obj = current.get();
            ResourceRef next = next(obj, chain.get(chain.size() - 1));
            if (next == null || contains(chain, next) || missingScaleTarget(obj, next, view)) break;
            chain.add(next);
            Optional<? extends KubernetesObject> found = find(next, view);
            if (found.isEmpty()) {
                // A pod's ReplicaSet not (yet) in the cache: its Deployment is named by the template hash.
                ResourceRef deployment = deploymentOfMissingReplicaSet(obj, next);
                if (deployment != null) chain.add(deployment);
            }
            current = found;
        }
        return chain;
    }

    public static ResourceRef root(ResourceRef ref, ClusterView view) {
        List<ResourceRef> chain = chain(ref, view);
        return chain.get(chain.size() - 1);
    }

    public static V1OwnerReference controllerOf(KubernetesObject o) {
        return Refs.controller(o).orElse(null);
    }

    /** Convenience: the ref of an object plus its chain. */
    public static List<ResourceRef> chain(KubernetesObject o, ClusterView view) {
        return chain(Refs.of(o), view);
    }

    private static ResourceRef next(KubernetesObject obj, ResourceRef self) {
        V1OwnerReference owner = controllerOf(obj);
        if (owner != null && owner.getKind() != null && owner.getName() != null) {
            return Refs.owner(owner, self.namespace());
        }
        if (obj instanceof V2HorizontalPodAutoscaler hpa && hpa.getSpec() != null) {
            V2CrossVersionObjectReference t = hpa.getSpec().getScaleTargetRef();
            if (t != null && t.getKind() != null && t.getName() != null) {
                return new ResourceRef(t.getKind(), self.namespace(), t.getName(), null);
            }
        }
        return null;
    }

    /** An autoscaler whose scale target is of a watched kind and absent: its incident is about itself. */
    private static boolean missingScaleTarget(KubernetesObject obj, ResourceRef target, ClusterView view) {
        if (!(obj instanceof V2HorizontalPodAutoscaler)) return false;
        return Kinds.classOf(target.kind()).filter(view::available).isPresent() && find(target, view).isEmpty();
    }

    private static ResourceRef deploymentOfMissingReplicaSet(KubernetesObject child, ResourceRef replicaSet) {
        if (!(child instanceof V1Pod pod) || !"ReplicaSet".equals(replicaSet.kind())) return null;
        Map<String, String> labels = pod.getMetadata().getLabels();
        String hash = labels == null ? null : labels.get(POD_TEMPLATE_HASH);
        if (hash == null || !replicaSet.name().endsWith("-" + hash)) return null;
        String name = replicaSet.name().substring(0, replicaSet.name().length() - hash.length() - 1);
        return name.isEmpty() ? null : ResourceRef.of("Deployment", replicaSet.namespace(), name);
    }

    private static boolean contains(List<ResourceRef> chain, ResourceRef ref) {
        for (ResourceRef r : chain) {
            if (r.key().equals(ref.key())) return true;
        }
        return false;
    }

    private static Optional<? extends KubernetesObject> find(ResourceRef ref, ClusterView view) {
        return Kinds.classOf(ref.kind()).flatMap(type -> view.get(type, ref.namespace(), ref.name()))
                .map(o -> (KubernetesObject) o);
    }
}

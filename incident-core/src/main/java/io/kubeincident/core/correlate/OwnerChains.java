package io.kubeincident.core.correlate;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.monitor.Kinds;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1OwnerReference;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Walks controller ownerReferences up to the root owner (pod → ReplicaSet → Deployment). */
public final class OwnerChains {
    private static final int MAX_DEPTH = 8;

    private OwnerChains() {
    }

    /** The chain from {@code ref} (first) to its root owner (last), as far as the view knows it. */
    public static List<ResourceRef> chain(ResourceRef ref, ClusterView view) {
        List<ResourceRef> chain = new ArrayList<>();
        chain.add(ref);
        Optional<? extends KubernetesObject> current = find(ref, view);
        for (int depth = 0; depth < MAX_DEPTH && current.isPresent(); depth++) {
            V1OwnerReference owner = controllerOf(current.get());
            if (owner == null) break;
            ResourceRef ownerRef = new ResourceRef(owner.getKind(), ref.namespace(), owner.getName(), owner.getUid());
            chain.add(ownerRef);
            current = find(ownerRef, view);
        }
        return chain;
    }

    public static ResourceRef root(ResourceRef ref, ClusterView view) {
        List<ResourceRef> chain = chain(ref, view);
        return chain.get(chain.size() - 1);
    }

    public static V1OwnerReference controllerOf(KubernetesObject o) {
        if (o.getMetadata() == null || o.getMetadata().getOwnerReferences() == null) return null;
        for (V1OwnerReference r : o.getMetadata().getOwnerReferences()) {
            if (Boolean.TRUE.equals(r.getController())) return r;
        }
        return null;
    }

    private static Optional<? extends KubernetesObject> find(ResourceRef ref, ClusterView view) {
        return Kinds.classOf(ref.kind()).flatMap(type -> view.get(type, ref.namespace(), ref.name()))
                .map(o -> (KubernetesObject) o);
    }

    /** Convenience: the ref of an object plus its chain. */
    public static List<ResourceRef> chain(KubernetesObject o, ClusterView view) {
        return chain(Refs.of(o), view);
    }
}

package io.kubeincident.core.monitor;

import io.kubeincident.api.ResourceRef;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** Small helpers to name objects and read their metadata the same way everywhere. */
public final class Refs {

    private Refs() {
    }

    /** A reference to {@code object} with its uid. */
    public static ResourceRef of(KubernetesObject object) {
        V1ObjectMeta m = object.getMetadata();
        String kind = WatchedKind.kindOf(object);
        boolean clusterScoped = WatchedKind.ofKind(kind).map(k -> !k.namespaced()).orElse(false);
        return new ResourceRef(kind, clusterScoped ? null : m.getNamespace(), m.getName(), m.getUid());
    }

    /** The controller owner of {@code object} ({@code ownerReferences[].controller == true}). */
    public static Optional<V1OwnerReference> controller(KubernetesObject object) {
        V1ObjectMeta m = object.getMetadata();
        if (m == null) return Optional.empty();
        List<V1OwnerReference> owners = m.getOwnerReferences();
        if (owners == null) return Optional.empty();
        for (V1OwnerReference o : owners) {
            if (Boolean.TRUE.equals(o.getController())) return Optional.of(o);
        }
        return Optional.empty();
    }

    /** A reference to an owner of an object in {@code namespace}. Cluster-scoped owners (Node) get no namespace. */
    public static ResourceRef owner(V1OwnerReference owner, String namespace) {
        boolean clusterScoped = WatchedKind.ofKind(owner.getKind()).map(k -> !k.namespaced()).orElse(false);
        return new ResourceRef(owner.getKind(), clusterScoped ? null : namespace, owner.getName(), owner.getUid());
    }

    public static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    public static String namespace(KubernetesObject object) {
        return object.getMetadata() == null ? null : object.getMetadata().getNamespace();
    }

    public static String name(KubernetesObject object) {
        return object.getMetadata() == null ? null : object.getMetadata().getName();
    }

    public static Instant created(KubernetesObject object) {
        return object.getMetadata() == null ? null : instant(object.getMetadata().getCreationTimestamp());
    }
}

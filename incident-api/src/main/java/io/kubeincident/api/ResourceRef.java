package io.kubeincident.api;

import java.util.Objects;

/**
 * A reference to one Kubernetes object.
 *
 * @param kind      the object's kind, e.g. {@code Pod}; never blank
 * @param namespace the namespace, or {@code null} for cluster-scoped kinds (Node)
 * @param name      the object's name; never blank
 * @param uid       the object's uid when known, else {@code null}; two references to the same
 *                  kind/namespace/name are the same target whatever their uid
 */
public record ResourceRef(String kind, String namespace, String name, String uid) {

    public ResourceRef {
        if (kind == null || kind.isBlank()) throw new IllegalArgumentException("kind is required");
        if (name == null || name.isBlank()) throw new IllegalArgumentException("name is required");
        if (namespace != null && namespace.isBlank()) namespace = null;
        if (uid != null && uid.isBlank()) uid = null;
    }

    public static ResourceRef of(String kind, String namespace, String name) {
        return new ResourceRef(kind, namespace, name, null);
    }

    public static ResourceRef cluster(String kind, String name) {
        return new ResourceRef(kind, null, name, null);
    }

    public boolean namespaced() {
        return namespace != null;
    }

    /** {@code Kind/namespace/name} (or {@code Kind/name} when cluster-scoped): stable, uid-free. */
    public String key() {
        return namespace == null ? kind + "/" + name : kind + "/" + namespace + "/" + name;
    }

    /** Same kind, namespace and name; uids are compared only when both are known. */
    public boolean sameTarget(ResourceRef other) {
        if (other == null) return false;
        if (!kind.equals(other.kind) || !Objects.equals(namespace, other.namespace) || !name.equals(other.name)) {
            return false;
        }
        return uid == null || other.uid == null || uid.equals(other.uid);
    }

    @Override
    public String toString() {
        return key();
    }
}

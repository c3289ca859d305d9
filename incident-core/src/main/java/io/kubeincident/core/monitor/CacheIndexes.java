package io.kubeincident.core.monitor;

import io.kubeincident.api.ResourceRef;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.cache.Cache;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The informer indexes that keep cluster-view lookups O(1): by owner uid (every kind), by node name
 * (pods), by involved object (events). The namespace index comes with client-java's {@link Cache}.
 */
public final class CacheIndexes {

    public static final String OWNER_UID = "owner-uid";
    public static final String NODE_NAME = "node-name";
    public static final String INVOLVED_OBJECT = "involved-object";

    private CacheIndexes() {
    }

    /** The indexers for objects of {@code kind}. */
    public static Map<String, Function<KubernetesObject, List<String>>> forKind(WatchedKind kind) {
        Map<String, Function<KubernetesObject, List<String>>> m = new HashMap<>();
        m.put(OWNER_UID, CacheIndexes::ownerUids);
        if (kind == WatchedKind.POD) m.put(NODE_NAME, CacheIndexes::nodeName);
        if (kind == WatchedKind.EVENT) m.put(INVOLVED_OBJECT, CacheIndexes::involvedKey);
        return m;
    }

    /** A fresh cache with the indexes of {@code kind}, e.g. to feed objects straight in. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <T extends KubernetesObject> Cache<T> newCache(WatchedKind kind) {
        Cache<T> cache = new Cache<>();
        cache.addIndexers((Map) forKind(kind));
        return cache;
    }

    static List<String> ownerUids(KubernetesObject o) {
        if (o.getMetadata() == null || o.getMetadata().getOwnerReferences() == null) return List.of();
        List<V1OwnerReference> refs = o.getMetadata().getOwnerReferences();
        if (refs.size() == 1) return refs.get(0).getUid() == null ? List.of() : List.of(refs.get(0).getUid());
        return refs.stream().map(V1OwnerReference::getUid).filter(u -> u != null).toList();
    }

    static List<String> nodeName(KubernetesObject o) {
        if (o instanceof V1Pod p && p.getSpec() != null && p.getSpec().getNodeName() != null) {
            return List.of(p.getSpec().getNodeName());
        }
        return List.of();
    }

    static List<String> involvedKey(KubernetesObject o) {
        if (!(o instanceof CoreV1Event e) || e.getInvolvedObject() == null) return List.of();
        String key = involvedKey(e.getInvolvedObject());
        return key == null ? List.of() : List.of(key);
    }

    /** {@code Kind/namespace/name} like {@link ResourceRef#key()}; cluster-scoped kinds have no namespace. */
    public static String involvedKey(V1ObjectReference ref) {
        if (ref.getKind() == null || ref.getName() == null) return null;
        String ns = ref.getNamespace();
        boolean clusterScoped = WatchedKind.ofKind(ref.getKind()).map(k -> !k.namespaced()).orElse(false);
        if (clusterScoped || ns == null || ns.isBlank()) return ref.getKind() + "/" + ref.getName();
        return ref.getKind() + "/" + ns + "/" + ref.getName();
    }
}

package io.kubeincident.spi;

import io.kubeincident.api.ResourceRef;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Pod;

import java.util.List;
import java.util.Optional;

/**
 * A read-only view of the cluster as the engine sees it: informer caches in continuous mode, one
 * list per kind in a one-shot scan. Lookups are in-memory and cheap; nothing here calls the API
 * server. Returned objects are shared: callers must not modify them. Thread-safe.
 */
public interface ClusterView {

    /** All cached objects of {@code type} in {@code namespace} ({@code null}: every namespace). */
    <T extends KubernetesObject> List<T> list(Class<T> type, String namespace);

    <T extends KubernetesObject> Optional<T> get(Class<T> type, String namespace, String name);

    /** Objects of {@code type} with an ownerReference to {@code ownerUid} (indexed). */
    <T extends KubernetesObject> List<T> ownedBy(Class<T> type, String ownerUid);

    /** Pods bound to {@code nodeName} (indexed). */
    List<V1Pod> podsOnNode(String nodeName);

    /** core/v1 events whose involvedObject is {@code ref} (matched on uid when known, else kind/namespace/name). */
    List<CoreV1Event> eventsFor(ResourceRef ref);

    /** Whether this kind is watched and synced (a 403 on a kind makes it unavailable, not fatal). */
    default boolean available(Class<? extends KubernetesObject> type) {
        return true;
    }
}

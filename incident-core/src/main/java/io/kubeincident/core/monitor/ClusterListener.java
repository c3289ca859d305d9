package io.kubeincident.core.monitor;

import io.kubernetes.client.common.KubernetesObject;

/**
 * Told about every change the monitor's informers see. Called on informer threads (one per kind, so
 * possibly concurrently for different kinds, in order for one kind); implementations must be quick and
 * thread-safe and must not modify the objects, which are the cached ones. An exception is logged and
 * ignored.
 */
public interface ClusterListener {

    /** An object was added or changed (resyncs without a new resourceVersion are not reported). */
    void onChange(KubernetesObject object);

    /** An object was deleted (or vanished during a relist); {@code object} is its last known state. */
    default void onDelete(KubernetesObject object) {
    }
}

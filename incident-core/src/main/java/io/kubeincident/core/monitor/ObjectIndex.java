package io.kubeincident.core.monitor;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Pod;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * An in-memory {@link ClusterView} over a fixed set of objects, with the same indexes and lookup rules as
 * the informer caches (it is built on {@link InformerClusterView}). The one-shot scan builds one from a
 * list per kind.
 */
public class ObjectIndex implements ClusterView {
    private final InformerClusterView view;
    private final java.util.Set<Class<?>> unavailable;

    public ObjectIndex(Collection<? extends KubernetesObject> objects) {
        this(objects, java.util.Set.of());
    }

    /** @param unavailable kinds that could not be read: {@link #available} says so */
    protected ObjectIndex(Collection<? extends KubernetesObject> objects, java.util.Set<Class<?>> unavailable) {
        this.view = InformerClusterView.of(objects);
        this.unavailable = java.util.Set.copyOf(unavailable);
    }

    /** Every object held. */
    public List<KubernetesObject> all() {
        return view.all();
    }

    @Override
    public <T extends KubernetesObject> List<T> list(Class<T> type, String namespace) {
        return view.list(type, namespace);
    }

    @Override
    public <T extends KubernetesObject> Optional<T> get(Class<T> type, String namespace, String name) {
        return view.get(type, namespace, name);
    }

    @Override
    public <T extends KubernetesObject> List<T> ownedBy(Class<T> type, String ownerUid) {
        return view.ownedBy(type, ownerUid);
    }

    @Override
    public List<V1Pod> podsOnNode(String nodeName) {
        return view.podsOnNode(nodeName);
    }

    @Override
    public List<CoreV1Event> eventsFor(ResourceRef ref) {
        return view.eventsFor(ref);
    }

    @Override
    public boolean available(Class<? extends KubernetesObject> type) {
        return !unavailable.contains(type) && view.available(type);
    }
}

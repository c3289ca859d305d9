package io.kubeincident.core.monitor;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.cache.Caches;
import io.kubernetes.client.informer.cache.Indexer;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Pod;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A {@link ClusterView} over informer caches: one or more {@link Indexer}s per kind (one per watched
 * namespace, or one for all). Lookups use the indexes of {@link CacheIndexes}; nothing calls the API
 * server. Kinds without a cache, or that the monitor disabled (403), are {@linkplain #available
 * unavailable} and answer empty.
 */
public final class InformerClusterView implements ClusterView {

    private final Map<Class<?>, List<Indexer<? extends KubernetesObject>>> caches = new ConcurrentHashMap<>();
    private final Predicate<Class<?>> availability;
    private final boolean open;

    /** A view over {@code caches}; {@code availability} says whether a kind is synced and enabled. */
    public InformerClusterView(Map<Class<?>, List<Indexer<? extends KubernetesObject>>> caches,
                               Predicate<Class<?>> availability) {
        caches.forEach((k, v) -> this.caches.put(k, List.copyOf(v)));
        this.availability = availability;
        this.open = false;
    }

    private InformerClusterView() {
        this.availability = null;
        this.open = true;
    }

    /**
     * A view over fresh indexed caches holding {@code objects}, fed straight in (tests, benchmarks, one-shot
     * scans). Every watched kind is available (empty when none was given); objects of other kinds get a
     * cache of their own.
     */
    public static InformerClusterView of(Collection<? extends KubernetesObject> objects) {
        InformerClusterView view = new InformerClusterView();
        for (WatchedKind k : WatchedKind.values()) view.caches.put(k.type(), List.of(CacheIndexes.newCache(k)));
        objects.forEach(view::put);
        return view;
    }

    public static InformerClusterView of(KubernetesObject... objects) {
        return of(List.of(objects));
    }

    /**
     * Adds or replaces {@code object} (slimmed like the informers do) in the first cache of its kind; for
     * views built with {@link #of}, which also take kinds they have no cache for yet.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void put(KubernetesObject object) {
        List<Indexer<? extends KubernetesObject>> list = caches.get(object.getClass());
        if (list == null && open) {
            list = caches.computeIfAbsent(object.getClass(), c -> {
                io.kubernetes.client.informer.cache.Cache<KubernetesObject> cache = new io.kubernetes.client.informer.cache.Cache<>();
                cache.addIndexers(Map.of(CacheIndexes.OWNER_UID, CacheIndexes::ownerUids));
                return List.of(cache);
            });
        }
        if (list == null || list.isEmpty()) throw new IllegalArgumentException("no cache for " + object.getClass().getSimpleName());
        Indexer idx = list.get(0);
        KubernetesObject slim = ObjectSlimmer.slim(object);
        if (idx.get(slim) != null) idx.update(slim);
        else idx.add(slim);
    }

    /** Every cached object of every kind (one-shot scans walk it). */
    public List<KubernetesObject> all() {
        List<KubernetesObject> out = new ArrayList<>();
        for (Map.Entry<Class<?>, List<Indexer<? extends KubernetesObject>>> e : caches.entrySet()) {
            if (!isAvailable(e.getKey())) continue;
            for (Indexer<? extends KubernetesObject> i : e.getValue()) out.addAll(i.list());
        }
        return out;
    }

    private boolean isAvailable(Class<?> type) {
        return caches.containsKey(type) && (availability == null || availability.test(type));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public void remove(KubernetesObject object) {
        List<Indexer<? extends KubernetesObject>> list = caches.get(object.getClass());
        if (list == null) return;
        for (Indexer idx : list) idx.delete(object);
    }

    @Override
    public boolean available(Class<? extends KubernetesObject> type) {
        return isAvailable(type);
    }

    /** How many objects of {@code type} are cached. */
    public int size(Class<? extends KubernetesObject> type) {
        int n = 0;
        for (Indexer<? extends KubernetesObject> idx : indexers(type)) n += idx.listKeys().size();
        return n;
    }

    @Override
    public <T extends KubernetesObject> List<T> list(Class<T> type, String namespace) {
        List<Indexer<T>> idxs = indexers(type);
        if (idxs.isEmpty()) return List.of();
        if (idxs.size() == 1) {
            Indexer<T> i = idxs.get(0);
            return namespace == null ? i.list() : i.byIndex(Caches.NAMESPACE_INDEX, namespace);
        }
        List<T> out = new ArrayList<>();
        for (Indexer<T> i : idxs) out.addAll(namespace == null ? i.list() : i.byIndex(Caches.NAMESPACE_INDEX, namespace));
        return out;
    }

    @Override
    public <T extends KubernetesObject> Optional<T> get(Class<T> type, String namespace, String name) {
        String key = namespace == null || namespace.isBlank() ? name : namespace + "/" + name;
        for (Indexer<T> i : indexers(type)) {
            T t = i.getByKey(key);
            if (t != null) return Optional.of(t);
        }
        return Optional.empty();
    }

    @Override
    public <T extends KubernetesObject> List<T> ownedBy(Class<T> type, String ownerUid) {
        if (ownerUid == null) return List.of();
        return byIndex(type, CacheIndexes.OWNER_UID, ownerUid);
    }

    @Override
    public List<V1Pod> podsOnNode(String nodeName) {
        if (nodeName == null) return List.of();
        return byIndex(V1Pod.class, CacheIndexes.NODE_NAME, nodeName);
    }

    @Override
    public List<CoreV1Event> eventsFor(ResourceRef ref) {
        List<CoreV1Event> byKey = byIndex(CoreV1Event.class, CacheIndexes.INVOLVED_OBJECT, ref.key());
        if (ref.uid() == null || byKey.isEmpty()) return byKey;
        // Same name, other incarnation (a recreated StatefulSet pod): not this object's events.
        List<CoreV1Event> out = new ArrayList<>(byKey.size());
        for (CoreV1Event e : byKey) {
            String uid = e.getInvolvedObject().getUid();
            if (uid == null || uid.isBlank() || uid.equals(ref.uid())) out.add(e);
        }
        return out;
    }

    private <T extends KubernetesObject> List<T> byIndex(Class<T> type, String index, String value) {
        List<Indexer<T>> idxs = indexers(type);
        if (idxs.isEmpty()) return List.of();
        if (idxs.size() == 1) return byIndex(idxs.get(0), type, index, value);
        List<T> out = new ArrayList<>();
        for (Indexer<T> i : idxs) out.addAll(byIndex(i, type, index, value));
        return out;
    }

    /** A shared informer that started before our indexes could be added is scanned instead. */
    private static <T extends KubernetesObject> List<T> byIndex(Indexer<T> i, Class<T> type, String index, String value) {
        if (i.getIndexers().containsKey(index)) return i.byIndex(index, value);
        var fn = WatchedKind.ofType(type).map(CacheIndexes::forKind).map(m -> m.get(index))
                .orElse(index.equals(CacheIndexes.OWNER_UID) ? CacheIndexes::ownerUids : null);
        if (fn == null) return List.of();
        List<T> out = new ArrayList<>();
        for (T t : i.list()) {
            if (fn.apply(t).contains(value)) out.add(t);
        }
        return out;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private <T extends KubernetesObject> List<Indexer<T>> indexers(Class<T> type) {
        if (availability != null && !availability.test(type)) return List.of();
        List list = caches.get(type);
        return list == null ? List.of() : list;
    }
}

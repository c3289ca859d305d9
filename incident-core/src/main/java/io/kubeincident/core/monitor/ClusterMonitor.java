package io.kubeincident.core.monitor;

import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ListerWatcher;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.informer.cache.Indexer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.util.CallGeneratorParams;
import io.kubernetes.client.util.Watchable;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.options.ListOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches the cluster with client-java shared informers and keeps a read-only {@link InformerClusterView}
 * over their caches.
 *
 * <ul>
 *   <li>One informer per kind (per namespace when {@code monitoring.namespaces} lists some; Nodes are
 *       cluster-wide), list + watch, no periodic resync: the detection sweep reads the caches instead.</li>
 *   <li>A host's {@link SharedInformerFactory} is reused: informers it already has for a kind are shared
 *       (their transform is left alone), missing kinds are registered in it.</li>
 *   <li>Objects enter the caches slimmed ({@link ObjectSlimmer}) and indexed ({@link CacheIndexes}).</li>
 *   <li>Faults: a watch that drops or expires (410 Gone) is re-listed by client-java's reflector, and the
 *       relist's differences reach the listener like any change; a kind answering 403 (or 404: not served)
 *       is disabled with one warning while the others keep working.</li>
 *   <li>{@link #isReady()} once every enabled kind has synced.</li>
 * </ul>
 * Thread-safe.
 */
public final class ClusterMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMonitor.class);
    private static final ClusterListener NOOP = o -> { };

    private final MonitorConfig config;
    private final ApiClient watchClient;
    private final SharedInformerFactory hostFactory;
    private final Map<String, SharedInformerFactory> ownFactories = new LinkedHashMap<>();
    private final Map<WatchedKind, KindWatch> watches = new EnumMap<>(WatchedKind.class);
    private final InformerClusterView view;
    private final ExecutorService control;
    private volatile ClusterListener listener = NOOP;
    private volatile boolean started;
    private volatile boolean closed;
    private volatile long lastDelivery;

    private ClusterMonitor(Builder b) {
        this.config = b.config;
        this.watchClient = b.watchClient != null ? b.watchClient : WatchClients.forInformers(b.apiClient);
        this.hostFactory = b.informerFactory;
        if (hostFactory != null && !config.allNamespaces()) {
            throw new IllegalArgumentException("a host SharedInformerFactory holds one informer per kind, so it "
                    + "cannot watch the namespaces " + config.namespaces() + " one by one: drop monitoring.namespaces "
                    + "or do not hand in the factory");
        }
        this.control = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kube-incident-monitor");
            t.setDaemon(true);
            return t;
        });
        Map<Class<?>, List<Indexer<? extends KubernetesObject>>> caches = new HashMap<>();
        for (WatchedKind kind : config.kinds()) {
            KindWatch w = new KindWatch(kind);
            watches.put(kind, w);
            List<String> scopes = !kind.namespaced() || config.allNamespaces()
                    ? java.util.Collections.singletonList(null) : config.namespaces();
            for (String ns : scopes) w.add(ns);
            caches.put(kind.type(), w.indexers());
        }
        this.view = new InformerClusterView(caches, this::available);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Registers {@code listener} and starts the informers; a second call is ignored. */
    public synchronized void start(ClusterListener listener) {
        if (started || closed) return;
        this.listener = Objects.requireNonNull(listener, "listener");
        started = true;
        for (KindWatch w : watches.values()) w.addHandler();
        for (SharedInformerFactory f : ownFactories.values()) f.startAllRegisteredInformers();
        for (KindWatch w : watches.values()) {
            for (SharedIndexInformer<KubernetesObject> i : w.informers) {
                // In a host factory: run ours (and shared ones the host has not started); run() is idempotent.
                if (hostFactory != null) control.execute(i::run);
            }
        }
    }

    /** Starts without a listener (caches only). */
    public void start() {
        start(NOOP);
    }

    public InformerClusterView view() {
        return view;
    }

    /** True once started and every enabled kind has synced its first list. */
    public boolean isReady() {
        if (!started || closed) return false;
        for (KindWatch w : watches.values()) {
            if (!w.disabled() && !w.synced()) return false;
        }
        return true;
    }

    /** Waits up to {@code timeout} for {@link #isReady()}; false when it did not happen. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isReady()) {
            if (System.nanoTime() > deadline || closed) return false;
            Thread.sleep(20);
        }
        return true;
    }

    public boolean awaitReady() throws InterruptedException {
        return awaitReady(config.syncTimeout());
    }

    /** Kinds disabled by the API server's answer, with the reason. */
    public Map<WatchedKind, String> disabledKinds() {
        Map<WatchedKind, String> out = new EnumMap<>(WatchedKind.class);
        watches.forEach((k, w) -> {
            if (w.disabled()) out.put(k, w.disabledReason);
        });
        return out;
    }

    /** Watched kinds (enabled or not). */
    public Set<WatchedKind> kinds() {
        return watches.keySet();
    }

    /** Per-kind counters: lists (initial + relists), watches opened, events delivered. */
    public Map<WatchedKind, KindStats> stats() {
        Map<WatchedKind, KindStats> out = new EnumMap<>(WatchedKind.class);
        watches.forEach((k, w) -> out.put(k, new KindStats(w.lists.get(), w.watchesOpened.get(), w.events.get(),
                w.disabledReason)));
        return out;
    }

    /** Informer events delivered to the listener so far, all kinds together (cheap; for progress and benchmarks). */
    public long eventsDelivered() {
        long n = 0;
        for (KindWatch w : watches.values()) n += w.events.get();
        return n;
    }

    /** {@link System#nanoTime()} of the last delivery to the listener, 0 before the first (for latency measurements). */
    public long lastDeliveryNanoTime() {
        return lastDelivery;
    }

    /** @param disabledReason null while enabled */
    public record KindStats(long lists, long watches, long events, String disabledReason) {
    }

    /** Stops the informers this monitor created (a host's own informers are left running). */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (SharedInformerFactory f : ownFactories.values()) f.stopAllRegisteredInformers(false);
        for (KindWatch w : watches.values()) {
            for (SharedIndexInformer<KubernetesObject> i : w.created) {
                if (hostFactory != null) i.stop();
            }
        }
        control.shutdownNow();
    }

    private boolean available(Class<?> type) {
        if (!started) return false;
        for (KindWatch w : watches.values()) {
            if (w.kind.type() == type) return !w.disabled() && w.synced();
        }
        return false;
    }

    private SharedInformerFactory factoryFor(String namespace) {
        if (hostFactory != null) return hostFactory;
        return ownFactories.computeIfAbsent(namespace == null ? "" : namespace, k -> new SharedInformerFactory(watchClient));
    }

    /** The informers of one kind and what happened to them. */
    private final class KindWatch {
        final WatchedKind kind;
        final List<SharedIndexInformer<KubernetesObject>> informers = new ArrayList<>();
        final List<SharedIndexInformer<KubernetesObject>> created = new ArrayList<>();
        final AtomicLong lists = new AtomicLong();
        final AtomicLong watchesOpened = new AtomicLong();
        final AtomicLong events = new AtomicLong();
        volatile String disabledReason;
        volatile boolean syncedLatch;

        KindWatch(WatchedKind kind) {
            this.kind = kind;
        }

        boolean disabled() {
            return disabledReason != null;
        }

        boolean synced() {
            if (syncedLatch) return true;
            for (SharedIndexInformer<KubernetesObject> i : informers) {
                if (!i.hasSynced()) return false;
            }
            syncedLatch = true;
            return true;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        void add(String namespace) {
            SharedInformerFactory factory = factoryFor(namespace);
            Class<KubernetesObject> type = (Class<KubernetesObject>) kind.type();
            if (hostFactory != null) {
                SharedIndexInformer<KubernetesObject> existing = hostFactory.getExistingSharedIndexInformer(type);
                if (existing != null) {
                    try {
                        existing.addIndexers((Map) CacheIndexes.forKind(kind));
                    } catch (IllegalStateException | IllegalArgumentException e) {
                        // Already running or indexed under these names: the view falls back to scanning.
                        LOG.debug("shared {} informer keeps its own indexes: {}", kind.kind(), e.getMessage());
                    }
                    informers.add(existing);
                    return;
                }
            }
            GenericKubernetesApi api = new GenericKubernetesApi(kind.type(), kind.listType(), kind.group(), kind.version(),
                    kind.plural(), watchClient);
            SharedIndexInformer<KubernetesObject> informer = factory.sharedIndexInformerFor(
                    new GuardedListerWatcher(this, api, namespace), type, 0L,
                    (cls, t) -> LOG.debug("{} watch ended: {}", kind.kind(), t.toString()));
            informer.setTransform(ObjectSlimmer.INSTANCE);
            informer.addIndexers((Map) CacheIndexes.forKind(kind));
            informers.add(informer);
            created.add(informer);
        }

        List<Indexer<? extends KubernetesObject>> indexers() {
            List<Indexer<? extends KubernetesObject>> out = new ArrayList<>();
            for (SharedIndexInformer<KubernetesObject> i : informers) out.add(i.getIndexer());
            return out;
        }

        void addHandler() {
            ResourceEventHandler<KubernetesObject> handler = new ResourceEventHandler<>() {
                @Override
                public void onAdd(KubernetesObject obj) {
                    deliver(obj, false);
                }

                @Override
                public void onUpdate(KubernetesObject oldObj, KubernetesObject newObj) {
                    if (oldObj != null && oldObj.getMetadata() != null && newObj.getMetadata() != null
                            && Objects.equals(oldObj.getMetadata().getResourceVersion(), newObj.getMetadata().getResourceVersion())) {
                        return; // a resync of an unchanged object
                    }
                    deliver(newObj, false);
                }

                @Override
                public void onDelete(KubernetesObject obj, boolean finalStateUnknown) {
                    deliver(obj, true);
                }
            };
            for (SharedIndexInformer<KubernetesObject> i : informers) i.addEventHandler(handler);
        }

        void deliver(KubernetesObject obj, boolean deleted) {
            if (closed || obj == null) return;
            events.incrementAndGet();
            lastDelivery = System.nanoTime();
            try {
                if (deleted) listener.onDelete(obj);
                else listener.onChange(obj);
            } catch (RuntimeException e) {
                LOG.warn("listener failed on {} {}: {}", kind.kind(), obj.getMetadata() == null ? "?" : obj.getMetadata().getName(), e.toString());
            }
        }

        /** The API server refused this kind for good: stop watching it, say so once. */
        void disable(int code, String message) {
            synchronized (this) {
                if (disabledReason != null || closed) return;
                disabledReason = (code == 403 ? "forbidden (403)" : "not served (404)")
                        + (message == null || message.isBlank() ? "" : ": " + message);
            }
            LOG.warn("not watching {}: the API server answered {}; incidents that need {} are not detected, the other "
                    + "kinds keep working", kind.plural(), disabledReason, kind.kind());
            for (SharedIndexInformer<KubernetesObject> i : created) control.execute(i::stop);
        }
    }

    /** Lists and watches one kind in one scope, counting calls and catching the answers that disable it. */
    private static final class GuardedListerWatcher<T extends KubernetesObject, L extends KubernetesListObject>
            implements ListerWatcher<T, L> {
        private final KindWatch watch;
        private final GenericKubernetesApi<T, L> api;
        private final String namespace;

        GuardedListerWatcher(KindWatch watch, GenericKubernetesApi<T, L> api, String namespace) {
            this.watch = watch;
            this.api = api;
            this.namespace = namespace;
        }

        @Override
        public L list(CallGeneratorParams params) throws ApiException {
            watch.lists.incrementAndGet();
            ListOptions o = new ListOptions();
            o.setResourceVersion(params.resourceVersion);
            o.setTimeoutSeconds(params.timeoutSeconds);
            KubernetesApiResponse<L> r = namespace == null ? api.list(o) : api.list(namespace, o);
            if (!r.isSuccess()) {
                int code = r.getHttpStatusCode();
                String message = r.getStatus() == null ? null : r.getStatus().getMessage();
                check(code, message);
                throw new ApiException(code, message);
            }
            return r.getObject();
        }

        @Override
        public Watchable<T> watch(CallGeneratorParams params) throws ApiException {
            ListOptions o = new ListOptions();
            o.setResourceVersion(params.resourceVersion);
            o.setTimeoutSeconds(params.timeoutSeconds);
            try {
                Watchable<T> w = namespace == null ? api.watch(o) : api.watch(namespace, o);
                watch.watchesOpened.incrementAndGet();
                return w;
            } catch (ApiException e) {
                check(e.getCode(), e.getResponseBody());
                throw e;
            }
        }

        private void check(int code, String message) {
            if (code == 403 || code == 404) watch.disable(code, message);
        }
    }

    public static final class Builder {
        private ApiClient apiClient;
        private ApiClient watchClient;
        private SharedInformerFactory informerFactory;
        private MonitorConfig config = MonitorConfig.defaults();

        /** The engine's client; a copy with read timeout 0 is made for watches unless {@link #watchClient} is set. */
        public Builder apiClient(ApiClient client) {
            this.apiClient = client;
            return this;
        }

        /** A client for list/watch with read timeout 0. */
        public Builder watchClient(ApiClient client) {
            this.watchClient = client;
            return this;
        }

        /** A host's informer factory to share (operators already have one). */
        public Builder informerFactory(SharedInformerFactory factory) {
            this.informerFactory = factory;
            return this;
        }

        public Builder config(MonitorConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        public ClusterMonitor build() {
            if (apiClient == null && watchClient == null) throw new IllegalArgumentException("an ApiClient is required");
            return new ClusterMonitor(this);
        }
    }

    @Override
    public String toString() {
        return "ClusterMonitor" + new TreeSet<>(watches.keySet().stream().map(WatchedKind::kind).toList())
                + (config.allNamespaces() ? "" : " in " + config.namespaces());
    }
}

package io.kubeincident.argocd;

import io.kubeincident.argocd.client.AppQuery;
import io.kubeincident.argocd.client.ArgoCdClient;
import io.kubeincident.argocd.client.ArgoError;
import io.kubeincident.argocd.client.ArgoResult;
import io.kubeincident.argocd.model.Application;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The applications as last listed from Argo CD, for the detector, the routing policy and evidence, which
 * must answer from memory. Reading a {@link #snapshot()} starts a background refresh when the last one is
 * older than {@link ArgoCdConfig#refreshInterval()}: at most one list call is in flight, at most one per
 * interval, and nothing is polled while nobody reads (one daemon thread, idle otherwise).
 *
 * <p>It also remembers, per application, which revisions it saw while the application was Healthy, so that
 * {@code argocd-rollback} can pick "the last history entry that was Healthy" from first-hand observation,
 * and when it first saw an application Degraded, for Argo CD versions whose health carries no
 * {@code lastTransitionTime}. Thread-safe.
 */
public final class AppStatusCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AppStatusCache.class);
    private static final int HEALTHY_REVISIONS_KEPT = 20;

    /**
     * One listing.
     *
     * @param apps      the applications by {@code namespace/name}
     * @param fetchedAt when it was listed; null when no listing succeeded yet
     * @param lastError the last listing's error, or null
     */
    public record Snapshot(Map<String, Application> apps, Instant fetchedAt, ArgoError lastError) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), null, null);

        public Snapshot {
            apps = apps == null ? Map.of() : Map.copyOf(apps);
        }

        public boolean known() {
            return fetchedAt != null;
        }

        /** The application {@code ref} names: exact namespace, or by name alone when the ref has no namespace. */
        public Optional<Application> find(AppRef ref) {
            if (ref.namespace() != null) {
                return Optional.ofNullable(apps.get(ref.namespace() + "/" + ref.name()));
            }
            Application found = null;
            for (Application a : apps.values()) {
                if (ref.name().equals(a.name())) {
                    if (found != null) return Optional.of(found); // ambiguous without a namespace: first wins
                    found = a;
                }
            }
            return Optional.ofNullable(found);
        }
    }

    private final ArgoCdClient client;
    private final ArgoCdConfig config;
    private final Clock clock;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final Map<String, Deque<String>> healthyRevisions = new ConcurrentHashMap<>();
    private final Map<String, Instant> degradedSince = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private volatile Instant lastAttempt;
    private volatile ExecutorService executor;
    private volatile Runnable onChange = () -> {
    };

    public AppStatusCache(ArgoCdClient client, Clock clock) {
        this.client = client;
        this.config = client.config();
        this.clock = clock;
    }

    /** Called after each listing that changed the set of applications (the resolver forgets its answers). */
    void onChange(Runnable listener) {
        this.onChange = Objects.requireNonNull(listener);
    }

    /** The latest listing, starting a background refresh when it is stale. Never blocks. */
    public Snapshot snapshot() {
        Instant now = clock.instant();
        Instant last = lastAttempt;
        if (last == null || !now.isBefore(last.plus(config.refreshInterval()))) {
            if (inFlight.compareAndSet(false, true)) {
                lastAttempt = now;
                try {
                    executor().execute(() -> {
                        try {
                            refresh();
                        } finally {
                            inFlight.set(false);
                        }
                    });
                } catch (RuntimeException e) {
                    inFlight.set(false);
                }
            }
        }
        return snapshot;
    }

    /** The latest listing, without starting a refresh. */
    public Snapshot current() {
        return snapshot;
    }

    /** Lists the applications now (blocking), e.g. before an action or in a one-shot scan. */
    public Snapshot refresh() {
        lastAttempt = clock.instant();
        ArgoResult<List<Application>> r = client.listApplications(
                new AppQuery(config.selector(), config.projects(), config.appNamespace()));
        Snapshot previous = snapshot;
        if (!r.isOk()) {
            LOG.warn("listing Argo CD applications failed: {}", r.error().describe());
            snapshot = new Snapshot(previous.apps(), previous.fetchedAt(), r.error());
            return snapshot;
        }
        Map<String, Application> apps = new HashMap<>();
        Instant now = clock.instant();
        for (Application a : r.value()) {
            if (a.name() == null) continue;
            String key = key(a);
            apps.put(key, a);
            observe(key, a, now);
        }
        degradedSince.keySet().retainAll(apps.keySet());
        healthyRevisions.keySet().retainAll(apps.keySet());
        snapshot = new Snapshot(apps, now, null);
        if (!apps.keySet().equals(previous.apps().keySet())) onChange.run();
        return snapshot;
    }

    /** Records what one fresh read of an application shows (also fed by actions while they wait). */
    public void observe(Application a) {
        if (a.name() != null) observe(key(a), a, clock.instant());
    }

    /** Revisions seen while the application was Healthy, newest first. */
    public List<String> healthyRevisions(AppRef app) {
        Optional<Application> a = snapshot.find(app);
        Deque<String> d = null;
        if (a.isPresent()) {
            d = healthyRevisions.get(key(a.get()));
        } else if (app.namespace() != null) {
            d = healthyRevisions.get(app.namespace() + "/" + app.name());
        } else {
            for (Map.Entry<String, Deque<String>> e : healthyRevisions.entrySet()) {
                if (e.getKey().endsWith("/" + app.name())) {
                    d = e.getValue();
                    break;
                }
            }
        }
        if (d == null) return List.of();
        synchronized (d) {
            return List.copyOf(d);
        }
    }

    /** When this cache first saw {@code app} Degraded in its current Degraded spell, if it did. */
    public Optional<Instant> degradedSince(Application app) {
        return Optional.ofNullable(degradedSince.get(key(app)));
    }

    private void observe(String key, Application a, Instant now) {
        if ("Degraded".equals(a.health())) {
            degradedSince.putIfAbsent(key, now);
        } else {
            degradedSince.remove(key);
        }
        String rev = a.syncedRevision();
        if ("Healthy".equals(a.health()) && "Synced".equals(a.syncStatus()) && rev != null && !rev.isBlank()) {
            Deque<String> d = healthyRevisions.computeIfAbsent(key, k -> new ArrayDeque<>());
            synchronized (d) {
                d.remove(rev);
                d.addFirst(rev);
                while (d.size() > HEALTHY_REVISIONS_KEPT) d.removeLast();
            }
        }
    }

    static String key(Application a) {
        String ns = a.metadata().namespace();
        return (ns == null ? "" : ns) + "/" + a.name();
    }

    private ExecutorService executor() {
        ExecutorService e = executor;
        if (e == null) {
            synchronized (this) {
                e = executor;
                if (e == null) {
                    e = Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(r, "argocd-app-refresh");
                        t.setDaemon(true);
                        return t;
                    });
                    executor = e;
                }
            }
        }
        return e;
    }

    @Override
    public void close() {
        ExecutorService e = executor;
        if (e != null) e.shutdownNow();
    }
}

package io.kubeincident.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs work per incident: different incidents concurrently on a bounded pool ({@code analysis.concurrency}
 * threads), the work of one incident strictly one after another (its lane), so the same incident is never
 * analyzed or acted on twice at once. A task that throws is logged and the lane goes on. Thread-safe.
 */
final class IncidentLanes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentLanes.class);

    private final ExecutorService pool;
    private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    IncidentLanes(int concurrency) {
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "kube-incident-incident-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Queues {@code task} behind the lane's earlier work. The future completes when it ran; exceptionally only
     * with an {@link Error} (a RuntimeException is logged and counts as done), and the lane goes on either way.
     */
    CompletableFuture<Void> submit(String incidentId, Runnable task) {
        Runnable guarded = () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("work on incident {} failed", incidentId, e);
            }
        };
        CompletableFuture<Void>[] mine = new CompletableFuture[1];
        tails.compute(incidentId, (k, tail) -> {
            CompletableFuture<Void> next;
            try {
                next = tail == null ? CompletableFuture.runAsync(guarded, pool)
                        : tail.handle((v, e) -> null).thenRunAsync(guarded, pool);
            } catch (RejectedExecutionException closed) {
                next = CompletableFuture.completedFuture(null);
            }
            mine[0] = next;
            return next;
        });
        CompletableFuture<Void> f = mine[0];
        // A lane whose last task finished is forgotten (a later task starts a fresh one).
        f.whenComplete((v, e) -> tails.remove(incidentId, f));
        return f;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

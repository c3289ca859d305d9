package io.kubeincident.responder.run;

import io.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.kubernetes.client.extended.leaderelection.LeaderElectionRecord;
import io.kubernetes.client.extended.leaderelection.LeaderElector;
import io.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Date;
import java.util.Optional;

/**
 * Leader election on a Lease in the responder's namespace (client-java's {@link LeaderElector}), so that
 * of several replicas only one acts. Campaigns again after losing the lease; on {@link #close()} it
 * stops campaigning and, when it holds the lease, hands it over by clearing the holder, so that a
 * standby replica takes over at once instead of after the lease expires.
 */
public final class Leadership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

    /** What happens on a change of leadership; called from the election thread. */
    public interface Callbacks {
        void startedLeading();

        void stoppedLeading();
    }

    public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    }

    private final ApiClient client;
    private final String namespace;
    private final String name;
    private final String identity;
    private final Timing timing;
    private final Callbacks callbacks;
    private volatile boolean closed;
    private volatile boolean leading;
    private volatile String leader;
    private volatile LeaderElector elector;
    private final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long firstFailure;
    private volatile long lastReport;
    private Thread thread;

    public Leadership(ApiClient client, String namespace, String name, String identity, Timing timing,
                      Callbacks callbacks) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.identity = identity;
        this.timing = timing;
        this.callbacks = callbacks;
    }

    public synchronized void start() {
        if (thread != null) return;
        thread = new Thread(this::campaign, "kube-incident-leader-election");
        thread.setDaemon(true);
        thread.start();
    }

    private void campaign() {
        while (!closed) {
            LeaderElector e = new LeaderElector(new LeaderElectionConfig(
                    new LeaseLock(namespace, name, identity, client),
                    timing.leaseDuration(), timing.renewDeadline(), timing.retryPeriod()),
                    this::electionError);
            elector = e;
            if (closed) break;
            e.run(this::onStart, this::onStop, newLeader -> {
                electionRecovered();
                leader = newLeader;
                LOG.atInfo().addKeyValue("leader", newLeader).log("leader is {}", newLeader);
            });
            e.close();
            if (leading) onStop();  // run() returned without calling the stop hook
            sleep(timing.retryPeriod());
        }
    }

    private void onStart() {
        leading = true;
        leader = identity;
        LOG.atInfo().addKeyValue("lease", namespace + "/" + name).log("became leader as {}", identity);
        try {
            callbacks.startedLeading();
        } catch (RuntimeException ex) {
            LOG.error("starting as leader failed", ex);
        }
    }

    private void onStop() {
        if (!leading) return;
        leading = false;
        LOG.atInfo().addKeyValue("lease", namespace + "/" + name).log("stopped leading");
        try {
            callbacks.stoppedLeading();
        } catch (RuntimeException ex) {
            LOG.error("stopping as leader failed", ex);
        }
    }

    /**
     * Who holds the Lease now, read from the API server: the holder's identity, or empty when nobody holds
     * it (never created, released, or expired).
     *
     * @throws ApiException when the API server cannot be asked
     */
    public Optional<String> currentHolder() throws ApiException {
        LeaderElectionRecord r;
        try {
            r = new LeaseLock(namespace, name, identity, client).get();
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                electionRecovered();
                return Optional.empty();
            }
            throw e;
        }
        electionRecovered();
        if (r == null || r.getHolderIdentity() == null || r.getHolderIdentity().isBlank()) return Optional.empty();
        if (r.getRenewTime() != null && r.getLeaseDurationSeconds() > 0
                && r.getRenewTime().getTime() + r.getLeaseDurationSeconds() * 1000L < System.currentTimeMillis()) {
            return Optional.empty();
        }
        return Optional.of(r.getHolderIdentity());
    }

    /**
     * Election errors during an API outage arrive every retry period: the first is a WARN, then at most one
     * line a minute while they last, and one INFO when the API answers again.
     */
    private void electionError(Throwable t) {
        long now = System.nanoTime();
        int n = failures.incrementAndGet();
        if (n == 1) {
            firstFailure = now;
            lastReport = now;
            LOG.atWarn().addKeyValue("lease", namespace + "/" + name)
                    .log("leader election cannot reach the Lease: {} (reported again at most once a minute)", oneLine(t));
        } else if (now - lastReport >= java.util.concurrent.TimeUnit.MINUTES.toNanos(1)) {
            lastReport = now;
            LOG.atWarn().addKeyValue("lease", namespace + "/" + name).addKeyValue("failures", n)
                    .log("leader election still cannot reach the Lease after {}s ({} failures): {}",
                            java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(now - firstFailure), n, oneLine(t));
        }
    }

    private void electionRecovered() {
        int n = failures.getAndSet(0);
        if (n > 0) LOG.atInfo().addKeyValue("failures", n).log("leader election reaches the Lease again after {} failures", n);
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    public boolean isLeader() {
        return leading;
    }

    /** The last leader seen, or {@code null}. */
    public String leader() {
        return leader;
    }

    public String identity() {
        return identity;
    }

    @Override
    public void close() {
        closed = true;
        LeaderElector e = elector;
        boolean wasLeading = leading;
        // Closing the elector cancels its renew worker, so run() returns and the campaign thread ends;
        // interrupting that thread instead would log the interruption as an error.
        if (e != null) e.close();
        onStop();
        if (wasLeading) release();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(timing.renewDeadline().toMillis() + timing.retryPeriod().toMillis() + 1000);
                if (t.isAlive()) t.interrupt();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Clears the holder so that another replica can take the lease now. */
    private void release() {
        try {
            LeaseLock lock = new LeaseLock(namespace, name, identity, client);
            LeaderElectionRecord current = lock.get();
            if (current == null || !identity.equals(current.getHolderIdentity())) return;
            Date now = new Date();
            boolean ok = lock.update(new LeaderElectionRecord("", 1, now, now, current.getLeaderTransitions()));
            LOG.info(ok ? "released the lease" : "could not release the lease; it expires by itself");
        } catch (Exception ex) {
            LOG.warn("could not release the lease ({}); it expires by itself", ex.toString());
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }
}

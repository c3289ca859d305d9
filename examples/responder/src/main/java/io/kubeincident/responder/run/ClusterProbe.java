package io.kubeincident.responder.run;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.VersionApi;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Asks the API server every period whether it answers (with leader election: who holds the Lease), so
 * that {@code /readyz} answers at once from the last look instead of calling the API inside a probe.
 */
final class ClusterProbe implements AutoCloseable {

    /** The last look: reachable when the API answered within three periods. */
    record State(boolean reachable, Optional<String> holder, String error) {
    }

    private final ApiClient client;
    private final Leadership leadership;
    private final Duration period;
    private final ScheduledExecutorService scheduler;
    private volatile long lastSuccess;
    private volatile Optional<String> holder = Optional.empty();
    private volatile String error = "not asked yet";

    ClusterProbe(ApiClient client, Leadership leadership, Duration period) {
        this.client = client;
        this.leadership = leadership;
        this.period = period.isNegative() || period.isZero() ? Duration.ofSeconds(2) : period;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kube-incident-api-probe");
            t.setDaemon(true);
            return t;
        });
        look();
        scheduler.scheduleWithFixedDelay(this::look, this.period.toMillis(), this.period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void look() {
        try {
            if (leadership != null) holder = leadership.currentHolder();
            else new VersionApi(client).getCode().execute();
            lastSuccess = System.nanoTime();
            error = null;
        } catch (ApiException e) {
            error = e.getCode() == 0 ? "unreachable: " + firstLine(e.getMessage()) : "HTTP " + e.getCode();
        } catch (RuntimeException e) {
            error = firstLine(e.toString());
        }
    }

    State state() {
        long age = System.nanoTime() - lastSuccess;
        boolean reachable = lastSuccess != 0 && age <= period.multipliedBy(3).plusSeconds(1).toNanos();
        return new State(reachable, holder, error == null ? "" : error);
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}

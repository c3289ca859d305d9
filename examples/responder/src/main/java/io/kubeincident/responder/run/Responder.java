package io.kubeincident.responder.run;

import io.kubeincident.core.access.ForbiddenReads;
import io.kubeincident.responder.UserError;
import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.responder.console.ConsoleApi;
import io.kubeincident.responder.console.ConsoleStore;
import io.kubernetes.client.openapi.ApiClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The long-running responder: the engine (through {@link EngineSupervisor}), leader election, the HTTP
 * endpoints, metrics and configuration reloads, assembled and shut down in order.
 */
public final class Responder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Responder.class);

    /**
     * What to run.
     *
     * @param namespace       the responder's own namespace (its Lease lives there; excluded from actions)
     * @param leaseName       the Lease's name
     * @param identity        this replica's identity (the pod name)
     * @param leaderElection  false for a single replica that always acts
     * @param bindAddress     the HTTP bind address
     * @param httpPort        0 for any free port
     * @param apiToken        bearer token for the API, or {@code null} (API off)
     * @param reloadPeriod    how often to look at the configuration files
     * @param watchedFiles    files whose change triggers a reload
     * @param configSource    reads the configuration again (files, environment, overrides)
     */
    public record Settings(String namespace, String leaseName, String identity, boolean leaderElection,
                           String bindAddress, int httpPort, String apiToken, Duration reloadPeriod,
                           List<Path> watchedFiles, Supplier<ResponderConfig> configSource) {
    }

    /** What to do about a refused read: said once per permission in the log, and in /readyz. */
    public static final String RBAC_HINT = "`responder rbac --config <config.yaml>` prints the RBAC this configuration "
            + "needs; grant it to the responder's service account";

    private final Settings settings;
    private final ForbiddenReads forbiddenReads;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final EngineMetrics metrics = new EngineMetrics(registry);
    /** The web console's timelines: one store for every engine this responder builds, so history survives reloads. */
    private final ConsoleStore console = new ConsoleStore();
    private final EngineSupervisor supervisor;
    private final Leadership leadership;
    private final HttpEndpoints http;
    private final ConfigWatcher watcher;
    private final io.kubeincident.prometheus.AlertIntake alerts;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ClusterProbe probe;
    private volatile boolean ready;
    private volatile boolean closing;

    /**
     * Starts everything; returns once serving.
     *
     * @throws UserError for an invalid first configuration or an unusable port
     */
    public Responder(Settings settings, ResponderConfig initial, ApiClient client) {
        this.settings = settings;
        // Before anything uses the client, so that every copy of it (the informers' too) reports refused reads.
        this.forbiddenReads = ForbiddenReads.install(client, RBAC_HINT);
        this.alerts = new io.kubeincident.prometheus.AlertIntake(alertSettings(initial), java.time.Clock.systemUTC());
        this.supervisor = new EngineSupervisor(initial, client, b -> b.listener(metrics).auditSink(metrics)
                .listener(console).auditSink(console).findingSource(alerts));
        Gauge.builder("kube_incident_leader", () -> supervisor.leading() ? 1 : 0)
                .description("1 while this replica leads and acts").register(registry);
        Gauge.builder("kube_incident_open_incidents", () -> sizeOf(e -> e.openIncidents().size()))
                .description("Incidents open now").register(registry);
        Gauge.builder("kube_incident_pending_approvals", () -> sizeOf(e -> e.pendingApprovals().size()))
                .description("Actions waiting for a human").register(registry);
        if (settings.leaderElection()) {
            Duration lease = initial.view().getDuration("leader_election.lease_duration", Duration.ofSeconds(15));
            Duration renew = initial.view().getDuration("leader_election.renew_deadline", Duration.ofSeconds(10));
            Duration retry = initial.view().getDuration("leader_election.retry_period", Duration.ofSeconds(2));
            this.leadership = new Leadership(client, settings.namespace(), settings.leaseName(), settings.identity(),
                    new Leadership.Timing(lease, renew, retry), new Leadership.Callbacks() {
                        public void startedLeading() {
                            supervisor.startLeading();
                        }

                        public void stoppedLeading() {
                            supervisor.stopLeading();
                        }
                    });
        } else {
            this.leadership = null;
        }
        try {
            this.http = new HttpEndpoints(settings.bindAddress(), settings.httpPort(), supervisor, registry,
                    this::readiness, this::readinessDetails, leadership, settings.apiToken(), new ConsoleApi(console),
                    alerts);
        } catch (IOException e) {
            supervisor.close();
            throw UserError.usage("cannot serve HTTP on " + settings.bindAddress() + ":" + settings.httpPort() + ": "
                    + e.getMessage());
        }
        this.watcher = new ConfigWatcher(settings.watchedFiles(), settings.reloadPeriod(), this::reload);
        this.probe = new ClusterProbe(client, leadership, probePeriod(initial));
        http.leaseHolder(() -> probe.state().holder());
        if (leadership != null) leadership.start();
        else supervisor.startLeading();
        ready = true;
        LOG.atInfo().addKeyValue("identity", settings.identity()).addKeyValue("port", http.port())
                .addKeyValue("leader_election", settings.leaderElection()).log("responder running");
    }

    /**
     * The label and alert-name mapping of the Alertmanager intake ({@code prometheus.labels.*},
     * {@code prometheus.alerts.*}); a bad {@code prometheus.*} section fails the engine build, which reports it.
     */
    private static io.kubeincident.prometheus.PrometheusConfig alertSettings(ResponderConfig config) {
        try {
            return io.kubeincident.prometheus.PrometheusConfig.from(config.view());
        } catch (IllegalArgumentException e) {
            return io.kubeincident.prometheus.PrometheusConfig.defaults();
        }
    }

    /** The Alertmanager intake behind {@code POST /api/v1/alerts}. */
    public io.kubeincident.prometheus.AlertIntake alertIntake() {
        return alerts;
    }

    private double sizeOf(java.util.function.ToIntFunction<io.kubeincident.core.IncidentEngine> f) {
        io.kubeincident.core.IncidentEngine e = supervisor.engine();
        return e == null ? 0 : f.applyAsInt(e);
    }

    private static Duration probePeriod(ResponderConfig config) {
        return config.view().getDuration("leader_election.retry_period", Duration.ofSeconds(2));
    }

    /**
     * What {@code /readyz} answers: ready only while this replica can do its job. The API server must have
     * answered recently; a leader (or a single replica) needs its engine running with synced caches; a
     * standby is ready (it can take over) and says so, naming the holder of the Lease as the API server
     * reports it.
     */
    public Readiness readiness() {
        if (!ready) return new Readiness(false, "not ready: starting");
        if (closing) return new Readiness(false, "not ready: shutting down");
        ClusterProbe.State api = probe.state();
        if (!api.reachable()) return new Readiness(false, "not ready: the Kubernetes API does not answer (" + api.error() + ")");
        if (leadership == null || supervisor.leading()) {
            String role = leadership == null ? "single replica" : "leader";
            return supervisor.engineReady() ? new Readiness(true, "ready: " + role + ", engine running")
                    : new Readiness(false, "not ready: " + role + ", engine starting (informer caches not synced)");
        }
        return new Readiness(true, "ready: standby, leader " + api.holder().orElse("none (the Lease is free)"));
    }

    /** A {@code /readyz} answer. */
    public record Readiness(boolean ready, String message) {
    }

    /** The Lease holder as last read from the API server (empty: none, or not known). */
    public java.util.Optional<String> leaseHolder() {
        return probe.state().holder();
    }

    private void reload() {
        try {
            supervisor.reload(settings.configSource().get());
        } catch (UserError e) {
            LOG.error("configuration change refused; keeping the running one: {}", e.getMessage());
        }
    }

    /** Each read permission the API server refused, and what to do about it; empty when none was. */
    List<String> readinessDetails() {
        List<String> lines = new ArrayList<>();
        for (ForbiddenReads.Denial d : forbiddenReads.denials()) {
            lines.add("missing permission: " + d.permission() + " (refused " + d.count() + " times since " + d.first() + ")");
        }
        if (!lines.isEmpty()) lines.add(RBAC_HINT);
        return lines;
    }

    /** The reads the API server refused so far. */
    public List<ForbiddenReads.Denial> forbiddenReads() {
        return forbiddenReads.denials();
    }

    /** Checks the configuration files now (the watcher does it periodically). */
    public boolean checkConfigNow() {
        return watcher.check();
    }

    /** What the web console shows (for hosts and tests). */
    public ConsoleStore console() {
        return console;
    }

    public int httpPort() {
        return http.port();
    }

    public EngineSupervisor supervisor() {
        return supervisor;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public boolean leading() {
        return supervisor.leading();
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Graceful shutdown: not ready, stop reloads, stop the engine, hand the lease over, stop serving. */
    @Override
    public synchronized void close() {
        if (closing) return;
        closing = true;
        List<AutoCloseable> order = new ArrayList<>();
        order.add(watcher);
        order.add(probe);
        order.add(supervisor);  // stop acting first, then let another replica take the lease
        if (leadership != null) order.add(leadership);
        order.add(http);
        order.add(alerts::shutdown);
        for (AutoCloseable c : order) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("shutting down {}: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
        registry.close();
        LOG.info("responder stopped");
        stopped.countDown();
    }
}

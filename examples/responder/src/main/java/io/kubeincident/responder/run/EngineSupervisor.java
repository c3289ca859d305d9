package io.kubeincident.responder.run;

import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.IncidentEngineBuilder;
import io.kubeincident.responder.EngineFactory;
import io.kubeincident.responder.UserError;
import io.kubeincident.responder.config.ResponderConfig;
import io.kubernetes.client.openapi.ApiClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

/**
 * Owns the engine of a long-running responder. Only the leader has an engine: it is built from the current
 * configuration when this replica starts leading and closed when it stops, so that a standby neither
 * writes audit records ({@code engine-started}, ...) nor holds informers. A standby still checks every
 * configuration (a validation build that writes nothing), so that a bad one is refused on every replica.
 * Thread-safe: leadership, reloads and HTTP requests arrive on different threads.
 */
public final class EngineSupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineSupervisor.class);

    private final ApiClient client;
    private final Consumer<IncidentEngineBuilder> customize;
    private ResponderConfig config;
    private IncidentEngine engine;
    private boolean leading;
    private boolean closed;
    private long generation;

    /**
     * @param customize adds the runtime's listeners and sinks to every engine built
     * @throws UserError when the first configuration is invalid
     */
    public EngineSupervisor(ResponderConfig config, ApiClient client, Consumer<IncidentEngineBuilder> customize) {
        this.client = client;
        this.customize = customize;
        EngineFactory.validate(config, client);
        this.config = config;
    }

    public synchronized void startLeading() {
        if (closed || leading) return;
        engine = EngineFactory.build(config, client, customize);
        generation++;
        leading = true;
        engine.start();
        LOG.atInfo().addKeyValue("mode", engine.config().mode().id()).log("engine started");
    }

    public synchronized void stopLeading() {
        if (!leading) return;
        leading = false;
        IncidentEngine e = engine;
        engine = null;
        if (e != null) e.close();
        LOG.info("engine stopped: not the leader any more");
    }

    /**
     * Applies a new configuration: an invalid one is refused (problems logged, the running engine stays);
     * a valid one replaces the engine when leading. Pending approvals of the old engine are dropped (they
     * are audited; the new engine plans again on its next sweep).
     *
     * @return the problems, empty when applied
     */
    public synchronized List<String> reload(ResponderConfig next) {
        List<String> problems = next.problems();
        if (!problems.isEmpty()) {
            LOG.atError().addKeyValue("problems", problems).log("configuration change refused; keeping the running one: {}",
                    String.join("; ", problems));
            return problems;
        }
        if (closed) return List.of();
        IncidentEngine candidate = null;
        try {
            if (leading) candidate = EngineFactory.build(next, client, customize);
            else EngineFactory.validate(next, client);
        } catch (UserError e) {
            LOG.atError().log("configuration change refused; keeping the running one: {}", e.getMessage());
            return List.of(e.getMessage());
        }
        if (candidate != null) {
            engine.close();
            engine = candidate;
            engine.start();
        }
        config = next;
        generation++;
        io.kubeincident.responder.logging.LogSetup.level(next.logLevel());
        LOG.atInfo().addKeyValue("generation", generation).log("configuration reloaded");
        return List.of();
    }

    /** The leader's engine; {@code null} on a standby or after {@link #close()}. */
    public synchronized IncidentEngine engine() {
        return engine;
    }

    /** True when this replica leads and its engine's caches have synced. */
    public synchronized boolean engineReady() {
        return leading && engine != null && engine.isReady();
    }

    public synchronized ResponderConfig config() {
        return config;
    }

    public synchronized boolean leading() {
        return leading;
    }

    /** Increments with every configuration applied and every engine built. */
    public synchronized long generation() {
        return generation;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        leading = false;
        if (engine != null) engine.close();
        engine = null;
    }
}

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
 * Owns the engine of a long-running responder: built from the current configuration, started only while
 * this replica leads, rebuilt when the configuration changes or leadership is lost (a closed engine
 * does not restart). Thread-safe: leadership, reloads and HTTP requests arrive on different threads.
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
        this.config = config;
        this.engine = EngineFactory.build(config, client, customize);
        this.generation = 1;
    }

    public synchronized void startLeading() {
        if (closed || leading) return;
        leading = true;
        engine.start();
        LOG.atInfo().addKeyValue("mode", engine.config().mode().id()).log("engine started");
    }

    public synchronized void stopLeading() {
        if (!leading) return;
        leading = false;
        engine.close();
        LOG.info("engine stopped: not the leader any more");
        if (!closed) rebuild(config);
    }

    /**
     * Applies a new configuration: an invalid one is refused (problems logged, the running engine stays);
     * a valid one replaces the engine, started again when leading. Pending approvals of the old engine
     * are dropped (they are audited; the new engine plans again on its next sweep).
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
        IncidentEngine candidate;
        try {
            candidate = EngineFactory.build(next, client, customize);
        } catch (UserError e) {
            LOG.atError().log("configuration change refused; keeping the running one: {}", e.getMessage());
            return List.of(e.getMessage());
        }
        engine.close();
        engine = candidate;
        config = next;
        generation++;
        if (leading) engine.start();
        io.kubeincident.responder.logging.LogSetup.level(next.logLevel());
        LOG.atInfo().addKeyValue("generation", generation).log("configuration reloaded");
        return List.of();
    }

    private void rebuild(ResponderConfig cfg) {
        engine = EngineFactory.build(cfg, client, customize);
        generation++;
    }

    public synchronized IncidentEngine engine() {
        return engine;
    }

    public synchronized ResponderConfig config() {
        return config;
    }

    public synchronized boolean leading() {
        return leading;
    }

    /** Increments with every engine built (reloads, leadership changes). */
    public synchronized long generation() {
        return generation;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        leading = false;
        engine.close();
    }
}

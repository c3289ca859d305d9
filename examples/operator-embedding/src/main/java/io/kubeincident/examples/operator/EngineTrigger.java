package io.kubeincident.examples.operator;

import io.kubeincident.api.IncidentReport;
import io.kubeincident.core.IncidentEngine;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.openapi.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Drives the engine from the host's informers: any change of a watched object schedules one engine sweep
 * ({@link IncidentEngine#runOnce()}) after a short quiet delay, so that a burst of events (a rollout, a
 * crash-looping ReplicaSet) costs one sweep, not one per event. A periodic sweep runs as a safety net for
 * time-based conditions.
 */
public final class EngineTrigger implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineTrigger.class);

    private final IncidentEngine engine;
    private final Duration debounce;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean scheduled = new AtomicBoolean();

    public EngineTrigger(IncidentEngine engine, Duration debounce, Duration safetyNet) {
        this.engine = engine;
        this.debounce = debounce;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "incident-engine-trigger");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::sweep, safetyNet.toMillis(), safetyNet.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Requests a sweep on every add, update and delete of {@code informer}'s objects. */
    public <T extends KubernetesObject> EngineTrigger on(SharedIndexInformer<T> informer) {
        informer.addEventHandler(new ResourceEventHandler<>() {
            public void onAdd(T obj) {
                request();
            }

            public void onUpdate(T oldObj, T newObj) {
                request();
            }

            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                request();
            }
        });
        return this;
    }

    public void request() {
        if (scheduled.compareAndSet(false, true)) {
            executor.schedule(() -> {
                scheduled.set(false);
                sweep();
            }, debounce.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void sweep() {
        try {
            List<IncidentReport> handled = engine.runOnce();
            handled.forEach(r -> LOG.info("incident {} {} on {}: {}", r.incident().id(), r.incident().type(),
                    r.incident().rootResource(), r.diagnosis().rootCause()));
        } catch (ApiException e) {
            LOG.warn("incident sweep failed: HTTP {}", e.getCode());
        } catch (RuntimeException e) {
            LOG.error("incident sweep failed", e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}

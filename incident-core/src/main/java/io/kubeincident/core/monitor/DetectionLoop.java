package io.kubeincident.core.monitor;

import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Finding;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.correlate.Correlator;
import io.kubeincident.core.correlate.IncidentEvent;
import io.kubeincident.core.detect.BasicDetectionContext;
import io.kubeincident.core.detect.DetectorSet;
import io.kubeincident.spi.DetectionContext;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Endpoints;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Continuous detection: the monitor's informer events drive the detectors of that object's kind on that
 * one object, the correlator folds the findings into incidents, and the incident events go to a sink.
 * A periodic sweep over the caches ({@code monitoring.scan_interval}) catches time-based conditions and
 * anything an event did not show.
 *
 * <p>Some objects stand for others: an EndpointSlice or Endpoints change re-checks its Service, and a
 * Warning event re-checks the object it is about (probe failures and mount errors live in events).
 *
 * <p>The sink is called on informer and sweep threads, in order per incident; it must be quick (hand
 * analysis to another executor) and must not throw (an exception is logged).
 */
public final class DetectionLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DetectionLoop.class);

    private final ClusterMonitor monitor;
    private final DetectorSet detectors;
    private final Correlator correlator;
    private final DetectionContext context;
    private final Duration scanInterval;
    private final Predicate<KubernetesObject> inScope;
    private final Consumer<IncidentEvent> sink;
    private final Runnable afterSweep;
    private final AtomicLong detections = new AtomicLong();
    private final AtomicLong sweeps = new AtomicLong();
    private volatile ScheduledExecutorService scheduler;

    private DetectionLoop(Builder b) {
        this.monitor = b.monitor;
        this.detectors = b.detectors;
        this.correlator = b.correlator;
        this.context = new BasicDetectionContext(monitor.view(), b.config, b.clock);
        this.scanInterval = b.scanInterval;
        this.inScope = b.inScope;
        this.sink = b.sink;
        this.afterSweep = b.afterSweep;
    }

    public static Builder builder(ClusterMonitor monitor, DetectorSet detectors) {
        return new Builder(monitor, detectors);
    }

    /** Starts the monitor with this loop as its listener and schedules the sweep (the first once synced). */
    public synchronized void start() {
        if (scheduler != null) return;
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kube-incident-sweep");
            t.setDaemon(true);
            return t;
        });
        monitor.start(new ClusterListener() {
            @Override
            public void onChange(KubernetesObject object) {
                changed(object);
            }

            @Override
            public void onDelete(KubernetesObject object) {
                deleted(object);
            }
        });
        ScheduledExecutorService s = scheduler;
        // Informer events are ignored until every kind has synced (owner chains need the caches); the
        // first sweep then sees everything at once, and later ones run every scan interval.
        s.execute(() -> {
            try {
                while (!monitor.awaitReady(scanInterval)) {
                    if (s.isShutdown()) return;
                    deliver(correlator.tick());
                }
                sweepIfReady();
                s.scheduleWithFixedDelay(this::sweepIfReady, scanInterval.toMillis(), scanInterval.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed meanwhile
            }
        });
    }

    /** One full sweep now (on the caller's thread); false when the monitor is not ready yet. */
    public boolean sweep() {
        if (!monitor.isReady()) return false;
        Map<ResourceRef, List<Finding>> found = detectors.sweep(monitor.view(), context, inScope);
        deliver(correlator.reconcile(found, monitor.view()));
        sweeps.incrementAndGet();
        try {
            afterSweep.run();
        } catch (RuntimeException e) {
            LOG.warn("after-sweep hook failed: {}", e.toString());
        }
        return true;
    }

    public Correlator correlator() {
        return correlator;
    }

    public ClusterMonitor monitor() {
        return monitor;
    }

    /** Objects run through the detectors because of an informer event. */
    public long detections() {
        return detections.get();
    }

    public long sweeps() {
        return sweeps.get();
    }

    @Override
    public synchronized void close() {
        ScheduledExecutorService s = scheduler;
        if (s != null) s.shutdownNow();
        monitor.close();
    }

    private void sweepIfReady() {
        try {
            if (!sweep()) deliver(correlator.tick());
        } catch (RuntimeException e) {
            LOG.error("sweep failed", e);
        }
    }

    void changed(KubernetesObject object) {
        if (!monitor.isReady()) return;
        if (object instanceof CoreV1Event e) {
            if ("Warning".equals(e.getType())) related(e.getInvolvedObject()).ifPresent(this::detect);
            return;
        }
        if (object instanceof V1EndpointSlice || object instanceof V1Endpoints) {
            serviceOf(object).ifPresent(this::detect);
            return;
        }
        detect(object);
    }

    void deleted(KubernetesObject object) {
        if (!monitor.isReady()) return;
        if (object instanceof CoreV1Event) return;
        if (object instanceof V1EndpointSlice || object instanceof V1Endpoints) {
            serviceOf(object).ifPresent(this::detect);
            return;
        }
        if (detectors.forKind(WatchedKind.kindOf(object)).isEmpty()) return;
        deliver(correlator.observe(Refs.of(object), List.of(), monitor.view()));
    }

    private void detect(KubernetesObject object) {
        if (detectors.forKind(WatchedKind.kindOf(object)).isEmpty()) return;
        if (inScope != null && !inScope.test(object)) return;
        detections.incrementAndGet();
        List<Finding> findings = detectors.detect(object, context);
        deliver(correlator.observe(Refs.of(object), findings, monitor.view()));
    }

    private Optional<KubernetesObject> related(V1ObjectReference ref) {
        if (ref == null || ref.getKind() == null || ref.getName() == null) return Optional.empty();
        return WatchedKind.ofKind(ref.getKind())
                .flatMap(k -> monitor.view().get(k.type(), k.namespaced() ? ref.getNamespace() : null, ref.getName()))
                .map(o -> (KubernetesObject) o);
    }

    private Optional<KubernetesObject> serviceOf(KubernetesObject o) {
        String ns = o.getMetadata().getNamespace();
        String name = o instanceof V1Endpoints ? o.getMetadata().getName()
                : o.getMetadata().getLabels() == null ? null : o.getMetadata().getLabels().get("kubernetes.io/service-name");
        if (name == null) return Optional.empty();
        return monitor.view().get(V1Service.class, ns, name).map(s -> (KubernetesObject) s);
    }

    private void deliver(List<IncidentEvent> events) {
        for (IncidentEvent e : events) {
            try {
                sink.accept(e);
            } catch (RuntimeException ex) {
                LOG.warn("incident sink failed on {}: {}", e.incident().id(), ex.toString());
            }
        }
    }

    public static final class Builder {
        private final ClusterMonitor monitor;
        private final DetectorSet detectors;
        private Correlator correlator;
        private ConfigView config = ConfigView.empty();
        private Clock clock = Clock.systemUTC();
        private Duration scanInterval = Duration.ofSeconds(30);
        private Predicate<KubernetesObject> inScope;
        private Consumer<IncidentEvent> sink = e -> { };
        private Runnable afterSweep = () -> { };

        private Builder(ClusterMonitor monitor, DetectorSet detectors) {
            this.monitor = Objects.requireNonNull(monitor, "monitor");
            this.detectors = Objects.requireNonNull(detectors, "detectors");
        }

        public Builder correlator(Correlator c) {
            this.correlator = c;
            return this;
        }

        /** What detectors read ({@code detection.*} and the rest). */
        public Builder config(ConfigView c) {
            this.config = Objects.requireNonNull(c);
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c);
            return this;
        }

        public Builder scanInterval(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("scan interval must be positive");
            this.scanInterval = d;
            return this;
        }

        /** Objects outside it are not run through detectors (default: everything the monitor watches). */
        public Builder inScope(Predicate<KubernetesObject> p) {
            this.inScope = p;
            return this;
        }

        public Builder onEvent(Consumer<IncidentEvent> sink) {
            this.sink = Objects.requireNonNull(sink);
            return this;
        }

        /** Runs on the sweep thread after each full sweep's events were delivered (periodic work of the host). */
        public Builder afterSweep(Runnable hook) {
            this.afterSweep = Objects.requireNonNull(hook);
            return this;
        }

        public DetectionLoop build() {
            if (correlator == null) correlator = new Correlator(io.kubeincident.core.correlate.CorrelationConfig.defaults(), clock);
            return new DetectionLoop(this);
        }
    }
}

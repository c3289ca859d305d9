package io.kubeincident.prometheus;

import io.kubeincident.api.Finding;
import io.kubeincident.spi.FindingSink;
import io.kubeincident.spi.FindingSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Alertmanager's webhook as a {@link FindingSource}: a host hands each request body to {@link #accept} and answers
 * with what it returns. Each firing alert becomes a finding on the resource its labels name (source key
 * {@code alertmanager:<fingerprint>}, so a re-delivery replaces it); a resolved alert clears it.
 *
 * <p>Bounded: a payload's alerts go to a queue of {@code prometheus.alerts.queue_capacity} entries, all or none; when
 * they do not fit the answer is {@link Result.Full} (HTTP 429) and Alertmanager delivers the group again later, so
 * nothing valid is dropped. A worker thread moves queued alerts to the engine's sink; while no engine has started
 * the source (a standby replica) they wait in the queue. The firing alerts it knows are reported again to a new sink
 * (the host rebuilt its engine). Thread-safe.
 */
public final class AlertIntake implements FindingSource {
    private static final Logger LOG = LoggerFactory.getLogger(AlertIntake.class);
    static final String KEY_PREFIX = "alertmanager:";

    /** What {@link #accept} did; each maps to one HTTP answer. */
    public sealed interface Result {
        /** 200: every alert queued; {@code unmapped} of them name no resource and are only counted and logged. */
        record Accepted(int firing, int resolved, int unmapped) implements Result {
        }

        /** 400 with the reason. */
        record Malformed(String reason) implements Result {
        }

        /** 429: the queue cannot take this payload now; retry later. */
        record Full(int queued, int capacity) implements Result {
        }
    }

    private record Op(String key, Finding finding) {
    }

    private final AlertMapping mapping;
    private final Clock clock;
    private final BlockingQueue<Op> queue;
    private final int capacity;
    private final Map<String, Finding> firing = new LinkedHashMap<>();
    private final Object admit = new Object();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile FindingSink sink;
    private volatile Thread worker;
    private volatile boolean shutdown;

    public AlertIntake(PrometheusConfig config, Clock clock) {
        this(new AlertMapping(config), config.alertQueue(), clock);
    }

    public AlertIntake(AlertMapping mapping, int capacity, Clock clock) {
        this.mapping = mapping;
        this.clock = clock;
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    @Override
    public String id() {
        return "alertmanager";
    }

    /** Parses one webhook body and queues its alerts. */
    public Result accept(byte[] body) {
        AlertmanagerPayload payload;
        try {
            payload = AlertmanagerPayload.parse(body);
        } catch (AlertmanagerPayload.Malformed e) {
            return new Result.Malformed(e.getMessage());
        }
        List<Op> ops = new ArrayList<>(payload.alerts().size());
        int firingCount = 0;
        int resolved = 0;
        int unmapped = 0;
        for (AlertmanagerPayload.Alert a : payload.alerts()) {
            String key = KEY_PREFIX + a.fingerprint();
            if (!a.firing()) {
                resolved++;
                ops.add(new Op(key, null));
                continue;
            }
            var f = mapping.finding(a, clock.instant());
            if (f.isEmpty()) {
                unmapped++;
                LOG.atInfo().addKeyValue("alertname", a.name()).addKeyValue("labels", a.labels())
                        .log("alert {} names no Kubernetes resource (no namespace/pod/deployment/node/... label); not an incident", a.name());
                continue;
            }
            firingCount++;
            ops.add(new Op(key, f.get()));
        }
        synchronized (admit) {
            if (shutdown || queue.remainingCapacity() < ops.size()) {
                refused.addAndGet(ops.size());
                return new Result.Full(queue.size(), capacity);
            }
            queue.addAll(ops);
        }
        accepted.addAndGet(ops.size());
        return new Result.Accepted(firingCount, resolved, unmapped);
    }

    @Override
    public synchronized void start(FindingSink sink) {
        this.sink = sink;
        synchronized (firing) {
            firing.forEach(sink::report);
        }
        if (worker == null && !shutdown) {
            Thread t = new Thread(this::drain, "kube-incident-alert-intake");
            t.setDaemon(true);
            worker = t;
            t.start();
        }
    }

    /** Detaches from the engine's sink; queued alerts wait for the next {@link #start}. */
    @Override
    public synchronized void close() {
        sink = null;
    }

    /** Stops the worker for good (the host shuts down); later payloads are refused with {@link Result.Full}. */
    public synchronized void shutdown() {
        shutdown = true;
        sink = null;
        Thread t = worker;
        if (t != null) t.interrupt();
    }

    /** Alerts waiting in the queue. */
    public int queued() {
        return queue.size();
    }

    public int capacity() {
        return capacity;
    }

    /** Alerts (firing and resolved) queued since start, and alerts refused with 429. */
    public long acceptedCount() {
        return accepted.get();
    }

    public long refusedCount() {
        return refused.get();
    }

    /** Firing alerts known now, by source key. */
    public Map<String, Finding> firing() {
        synchronized (firing) {
            return Map.copyOf(firing);
        }
    }

    private void drain() {
        while (!shutdown) {
            try {
                FindingSink s = sink;
                if (s == null) {
                    Thread.sleep(50);
                    continue;
                }
                Op op = queue.poll(200, TimeUnit.MILLISECONDS);
                if (op == null) continue;
                synchronized (firing) {
                    if (op.finding() == null) firing.remove(op.key());
                    else firing.put(op.key(), op.finding());
                }
                try {
                    if (op.finding() == null) s.clear(op.key());
                    else s.report(op.key(), op.finding());
                    FindingSink now = sink;
                    if (now != null && now != s) {  // the engine was rebuilt while this one was on its way
                        if (op.finding() == null) now.clear(op.key());
                        else now.report(op.key(), op.finding());
                    }
                } catch (RuntimeException e) {
                    LOG.warn("the engine refused alert {}: {}", op.key(), e.toString());
                }
            } catch (InterruptedException e) {
                if (shutdown) return;
            }
        }
    }
}

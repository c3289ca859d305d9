package io.kubeincident.core.monitor;

import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Finding;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.correlate.CorrelationConfig;
import io.kubeincident.core.correlate.Correlator;
import io.kubeincident.core.correlate.IncidentEvent;
import io.kubeincident.core.detect.BasicDetectionContext;
import io.kubeincident.core.detect.DetectorSet;
import io.kubeincident.core.fixtures.ClusterSeed;
import io.kubeincident.core.fixtures.Fixtures;
import io.kubeincident.core.fixtures.SyntheticCluster;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.testkit.Await;
import io.kubeincident.testkit.server.LoopbackKubeServer;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.cache.Indexer;
import io.kubernetes.client.openapi.models.V1Pod;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The detection benchmark (not part of the default test run; its name does not end in {@code Test}):
 * <pre>
 * mvn -B -o -pl incident-core -am test -Dtest=DetectionBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dsurefire.redirectTestOutputToFile=false
 * </pre>
 * Prints (a) pod status change on the loopback API server → incident opened, p50/p99; (b) one full sweep
 * of every built-in detector over 10,000 pods / 2,000 Deployments / 100 nodes / 50,000 events fed straight
 * into indexed caches, with the caches' retained heap, slimmed and not; (c) CPU per informer event. The
 * figures also go to {@code incident-core/target/benchmarks/detection.txt}. Sizes can be changed with
 * {@code -Dbench.changes=200 -Dbench.deployments=2000}.
 */
class DetectionBenchmark {

    private final StringBuilder report = new StringBuilder();

    private void out(String line) {
        System.out.println(line);
        report.append(line).append('\n');
    }

    @Test
    void run() throws Exception {
        machine();
        sweep();
        latencyAndCpu();
        Path file = Path.of("target", "benchmarks", "detection.txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, report.toString());
    }

    private void machine() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        out("== detection benchmark");
        out(String.format("machine: %s, %d cpus, load average %.1f at start; Java %s, max heap %d MiB", cpu,
                Runtime.getRuntime().availableProcessors(), load, System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20));
    }

    static List<Detector> allDetectors() {
        List<Detector> ds = new ArrayList<>();
        for (DetectorProvider p : ServiceLoader.load(DetectorProvider.class)) {
            ds.add(p.create(new io.kubeincident.core.detect.DetectorSetTest.Ctx()));
        }
        return ds;
    }

    // ------------------------------------------------------------------ (b) sweep

    private void sweep() {
        int deployments = Integer.getInteger("bench.deployments", 2000);
        SyntheticCluster.Shape shape = new SyntheticCluster.Shape(100, deployments, 5, 5, 0.03);
        out("");
        out("-- (b) full sweep over caches fed directly (" + shape + ")");
        // Raw: the objects as the API server sends them, in the same indexed caches but not slimmed.
        long base = SyntheticCluster.usedHeapAfterGc();
        List<KubernetesObject> raw = SyntheticCluster.build(shape, Fixtures.NOW, 42);
        Map<Class<?>, Indexer<KubernetesObject>> rawCaches = rawCaches(raw);
        raw = null;
        long rawHeap = SyntheticCluster.usedHeapAfterGc() - base;
        int objects = rawCaches.values().stream().mapToInt(i -> i.listKeys().size()).sum();
        rawCaches = null;

        base = SyntheticCluster.usedHeapAfterGc();
        InformerClusterView view = InformerClusterView.of(SyntheticCluster.build(shape, Fixtures.NOW, 42));
        long slimHeap = SyntheticCluster.usedHeapAfterGc() - base;
        out(String.format("objects cached: %,d (pods %,d, deployments %,d, replicasets %,d, nodes %,d, events %,d)", objects,
                view.size(V1Pod.class), view.size(io.kubernetes.client.openapi.models.V1Deployment.class),
                view.size(io.kubernetes.client.openapi.models.V1ReplicaSet.class),
                view.size(io.kubernetes.client.openapi.models.V1Node.class),
                view.size(io.kubernetes.client.openapi.models.CoreV1Event.class)));
        out(String.format("retained heap of the caches: %.1f MiB slimmed (transform) vs %.1f MiB as received: %.2fx smaller",
                slimHeap / 1048576.0, rawHeap / 1048576.0, (double) rawHeap / Math.max(1, slimHeap)));

        DetectorSet detectors = new DetectorSet(allDetectors(), null);
        BasicDetectionContext ctx = new BasicDetectionContext(view, ConfigView.empty(), Fixtures.CLOCK);
        long[] ms = new long[7];
        long[] cpu = new long[7];
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<ResourceRef, List<Finding>> found = Map.of();
        for (int i = 0; i < ms.length; i++) {
            long c = mx.getCurrentThreadCpuTime();
            long t = System.nanoTime();
            found = detectors.sweep(view, ctx, null);
            ms[i] = System.nanoTime() - t;
            cpu[i] = mx.getCurrentThreadCpuTime() - c;
        }
        long[] cpuSorted = cpu.clone();
        Arrays.sort(cpuSorted);
        // Where the time goes: each detector alone over the objects of its kinds.
        List<String> perDetector = new ArrayList<>();
        for (Detector d : detectors.detectors()) {
            DetectorSet one = new DetectorSet(List.of(d), null);
            one.sweep(view, ctx, null);
            long c = mx.getCurrentThreadCpuTime();
            one.sweep(view, ctx, null);
            perDetector.add(String.format("%s %.1f", d.id(), (mx.getCurrentThreadCpuTime() - c) / 1e6));
        }
        out("per detector (ms CPU, warm): " + String.join(", ", perDetector));
        long t = mx.getCurrentThreadCpuTime();
        List<IncidentEvent> events = new Correlator(CorrelationConfig.defaults(), Fixtures.CLOCK).reconcile(found, view);
        long correlate = mx.getCurrentThreadCpuTime() - t;
        long correlateWarm = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            t = mx.getCurrentThreadCpuTime();
            new Correlator(CorrelationConfig.defaults(), Fixtures.CLOCK).reconcile(found, view);
            correlateWarm = Math.min(correlateWarm, mx.getCurrentThreadCpuTime() - t);
        }
        long[] sorted = ms.clone();
        Arrays.sort(sorted);
        out(String.format("sweep of %d detectors: first %.1f ms (cold), median of %d %.1f ms wall / %.1f ms CPU, best %.1f ms wall;"
                        + " %,d objects with findings", detectors.detectors().size(), ms[0] / 1e6, ms.length,
                sorted[ms.length / 2] / 1e6, cpuSorted[ms.length / 2] / 1e6, sorted[0] / 1e6, found.size()));
        out(String.format("correlating the sweep's findings into %,d incidents: %.1f ms CPU cold, %.1f ms CPU warm", events.size(),
                correlate / 1e6, correlateWarm / 1e6));
        assertTrue(found.size() > 0);
        view = null;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Map<Class<?>, Indexer<KubernetesObject>> rawCaches(List<KubernetesObject> objects) {
        Map<Class<?>, Indexer<KubernetesObject>> caches = new HashMap<>();
        for (KubernetesObject o : objects) {
            Indexer idx = caches.computeIfAbsent(o.getClass(), c -> (Indexer) CacheIndexes.newCache(WatchedKind.ofType(c).orElseThrow()));
            idx.add(o);
        }
        return caches;
    }

    // ------------------------------------------------------------------ (a) latency, (c) CPU

    private void latencyAndCpu() throws Exception {
        int changes = Integer.getInteger("bench.changes", 200);
        int warmup = 20;
        out("");
        out("-- (a) latency: pod status change on the loopback API server -> incident opened (" + changes
                + " changes after " + warmup + " warm-up)");
        try (LoopbackKubeServer server = LoopbackKubeServer.start()) {
            ClusterSeed seed = new ClusterSeed(server.apiClient());
            seed.namespace("bench");
            List<V1Pod> pods = new ArrayList<>();
            for (int i = 0; i < changes + warmup; i++) pods.addAll(seed.deployment("bench", "app-" + i, 1, "app:1"));
            Map<String, Long> openedAt = new ConcurrentHashMap<>();
            ClusterMonitor monitor = ClusterMonitor.builder().watchClient(server.informerApiClient()).build();
            try (DetectionLoop loop = DetectionLoop.builder(monitor, new DetectorSet(allDetectors(), null))
                    .onEvent(e -> {
                        if (e instanceof IncidentEvent.Opened o) openedAt.put(o.incident().rootResource().name(), System.nanoTime());
                    }).build()) {
                loop.start();
                assertTrue(monitor.awaitReady(Duration.ofSeconds(60)));
                Await.until(Duration.ofSeconds(60), () -> loop.sweeps() >= 1, "first sweep");
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                com.sun.management.OperatingSystemMXBean os =
                        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long[] fromWrite = new long[changes];
                long[] fromAck = new long[changes];
                long[] delivery = new long[changes];
                long[] engine = new long[changes];
                for (int i = 0; i < changes + warmup; i++) {
                    V1Pod p = pods.get(i);
                    String root = "app-" + i;
                    V1Pod current = seed.core().readNamespacedPod(p.getMetadata().getName(), "bench").execute();
                    current.status(ClusterSeed.crashLooping(5));
                    long t0 = System.nanoTime();
                    seed.core().replaceNamespacedPodStatus(p.getMetadata().getName(), "bench", current).execute();
                    long t1 = System.nanoTime();
                    Await.until(Duration.ofSeconds(30), () -> openedAt.containsKey(root), "incident of " + root);
                    long at = openedAt.get(root);
                    long received = monitor.lastDeliveryNanoTime(); // the informer handing this change to the engine
                    if (i >= warmup) {
                        fromWrite[i - warmup] = at - t0;
                        fromAck[i - warmup] = Math.max(0, at - t1);
                        delivery[i - warmup] = Math.max(0, received - t0);
                        engine[i - warmup] = Math.max(0, at - received);
                    }
                }
                out(String.format("from the status write's start:     p50 %.2f ms, p99 %.2f ms, max %.2f ms", pct(fromWrite, 50),
                        pct(fromWrite, 99), pct(fromWrite, 100)));
                out(String.format("from the write's acknowledgement: p50 %.2f ms, p99 %.2f ms", pct(fromAck, 50), pct(fromAck, 99)));
                out(String.format("  of which write + the server's watch delivery to the informer: p50 %.2f ms, p99 %.2f ms",
                        pct(delivery, 50), pct(delivery, 99)));
                out(String.format("  and the engine (informer callback -> detectors -> correlator -> incident opened): p50 %.3f ms, p99 %.3f ms",
                        pct(engine, 50), pct(engine, 99)));
                assertEquals(changes + warmup, openedAt.size());

                out("");
                out("-- (c) CPU per informer event");
                // A burst of status writes; CPU of the client side only: every thread but the API server's
                // ("loopback-kube-*"), this writer thread and the sweep.
                int burst = Integer.getInteger("bench.burst", 2000);
                long eventsBefore = monitor.eventsDelivered();
                Map<Long, Long> cpuBefore = clientThreadCpu(threads);
                long processBefore = os.getProcessCpuTime();
                for (int i = 0; i < burst; i++) {
                    V1Pod p = pods.get(i % pods.size());
                    seed.setStatus(p, i % 2 == 0 ? ClusterSeed.running() : ClusterSeed.crashLooping(6 + i));
                }
                Await.until(Duration.ofSeconds(120), () -> monitor.eventsDelivered() - eventsBefore >= burst, "burst delivered");
                long events = monitor.eventsDelivered() - eventsBefore;
                long process = os.getProcessCpuTime() - processBefore;
                long pipeline = 0;
                Map<String, Long> byName = new java.util.TreeMap<>();
                for (Map.Entry<Long, Long> e : clientThreadCpu(threads).entrySet()) {
                    long d = e.getValue() - cpuBefore.getOrDefault(e.getKey(), 0L);
                    java.lang.management.ThreadInfo info = threads.getThreadInfo(e.getKey());
                    String name = info == null ? "?" : info.getThreadName();
                    // client-java names its informer threads; the handler runs on the processor's pool threads
                    if (name.startsWith("controller-reflector-") || name.startsWith("informer-controller-")
                            || name.startsWith("pool-")) {
                        pipeline += d;
                        String group = name.startsWith("controller-reflector-") ? "watch decoding (reflector)"
                                : name.startsWith("informer-controller-") ? "queue, transform, index (controller)"
                                : "detection + correlation (listener)";
                        byName.merge(group, d, Long::sum);
                    }
                }
                out(String.format("informer pipeline of the engine: %.1f us CPU per event over %,d pod events (%s)",
                        pipeline / 1e3 / events, events, String.join(", ", byName.entrySet().stream()
                                .map(e -> String.format("%s %.1f", e.getKey(), e.getValue() / 1e3 / events)).toList())));
                out(String.format("whole process incl. the in-process API server, the writer and OkHttp's shared threads: "
                        + "%.1f us CPU per event", process / 1e3 / events));
                // The engine's share: the informer callback (detectors of the kind + correlation) on one thread.
                List<V1Pod> cached = monitor.view().list(V1Pod.class, "bench");
                int rounds = 20_000;
                for (int i = 0; i < 2_000; i++) loop.changed(cached.get(i % cached.size())); // warm-up
                long c0 = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < rounds; i++) loop.changed(cached.get(i % cached.size()));
                long handler = threads.getCurrentThreadCpuTime() - c0;
                out(String.format("informer callback alone (the %d pod detectors on one object + correlation): %.1f us CPU per event"
                        + " (%,d events over %d crash-looping pods)", new DetectorSet(allDetectors(), null).forKind("Pod").size(),
                        handler / 1e3 / rounds, rounds, cached.size()));
            }
        }
    }

    private static Map<Long, Long> clientThreadCpu(ThreadMXBean threads) {
        Map<Long, Long> out = new HashMap<>();
        long self = Thread.currentThread().getId();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null || info.getThreadId() == self) continue;
            String name = info.getThreadName();
            if (name.startsWith("loopback-kube-") || name.equals("kube-incident-sweep")) continue;
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu > 0) out.put(info.getThreadId(), cpu);
        }
        return out;
    }

    private static double pct(long[] nanos, int p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int idx = p >= 100 ? s.length - 1 : (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, idx)] / 1e6;
    }
}

package io.kubeincident.core;

import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.correlate.CorrelationConfig;
import io.kubeincident.core.correlate.Correlator;
import io.kubeincident.core.correlate.IncidentEvent;
import io.kubeincident.core.detect.BasicDetectionContext;
import io.kubeincident.core.detect.DetectorSet;
import io.kubeincident.core.fixtures.ClusterSeed;
import io.kubeincident.core.fixtures.Fixtures;
import io.kubeincident.core.fixtures.SyntheticCluster;
import io.kubeincident.core.monitor.InformerClusterView;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.spi.IncidentListener;
import io.kubeincident.testkit.Await;
import io.kubeincident.testkit.server.LoopbackKubeServer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Pod;
import okhttp3.Interceptor;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine benchmark (not part of {@code mvn verify}: the class name does not end in {@code Test}). It drives
 * {@link IncidentEngine} itself, built with its builder, started with {@code start()} (or, for the polling
 * baseline, {@code runOnce()} on a timer), observed through an {@link IncidentListener}:
 * <pre>
 * mvn -B -o -pl incident-core -am test -Dtest=EngineBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dsurefire.redirectTestOutputToFile=false
 * </pre>
 * <ol>
 *   <li>latency: a pod status write on the loopback API server until the engine opens the incident, p50/p99, and
 *       the engine's CPU per informer event;</li>
 *   <li>watch against polling on the same cluster: API requests and bytes per minute in steady state, and detection
 *       latency, of the engine in continuous mode and of the original design (every watched kind listed every
 *       {@code monitoring.scan_interval}: the engine's {@code runOnce()} on a timer);</li>
 *   <li>100 incidents at once with an analyzer that takes 2 s each ({@code analysis.concurrency} 4): the time until
 *       all are planned, and the detection latency of a new incident meanwhile;</li>
 *   <li>a full sweep of every built-in detector over 10,000 pods fed straight into the caches, with their heap.</li>
 * </ol>
 * Sizes: {@code -Dbench.changes=200 -Dbench.steadySeconds=60 -Dbench.pollChanges=4 -Dbench.deployments=2000}.
 * Figures also go to {@code incident-core/target/benchmarks/engine.txt}.
 */
class EngineBenchmark {

    private final StringBuilder report = new StringBuilder();

    private void out(String line) {
        System.out.println(line);
        report.append(line).append('\n');
    }

    @Test
    void run() throws Exception {
        machine();
        latency();
        watchAgainstPolling();
        concurrentAnalyses();
        sweep();
        Path file = Path.of("target", "benchmarks", "engine.txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, report.toString());
    }

    private void machine() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        out("== engine benchmark, " + LocalDate.now());
        out(String.format("machine: %s, %d cpus, load average %.1f at start; Java %s, max heap %d MiB", cpu,
                Runtime.getRuntime().availableProcessors(), load, System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20));
    }

    /** Records when incidents open and are planned, by the name of their root. */
    static final class Clocked implements IncidentListener {
        final Map<String, Long> opened = new ConcurrentHashMap<>();
        final Map<String, Long> analyzed = new ConcurrentHashMap<>();

        @Override
        public void onIncidentOpened(Incident incident) {
            opened.putIfAbsent(incident.rootResource().name(), System.nanoTime());
        }

        @Override
        public void onIncidentAnalyzed(IncidentReport report) {
            analyzed.putIfAbsent(report.incident().rootResource().name(), System.nanoTime());
        }
    }

    /** Counts requests and the bytes of their answers (a watch's bytes as they stream). */
    static final class Counting implements Interceptor {
        final AtomicLong requests = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();

        @Override
        public Response intercept(Chain chain) throws IOException {
            requests.incrementAndGet();
            Response r = chain.proceed(chain.request());
            ResponseBody body = r.body();
            if (body == null) return r;
            BufferedSource counted = Okio.buffer(new ForwardingSource(body.source()) {
                @Override
                public long read(Buffer sink, long byteCount) throws IOException {
                    long n = super.read(sink, byteCount);
                    if (n > 0) bytes.addAndGet(n);
                    return n;
                }
            });
            return r.newBuilder().body(ResponseBody.create(counted, body.contentType(), body.contentLength())).build();
        }
    }

    private static ApiClient counted(ApiClient base, Counting counting) {
        ApiClient c = new ApiClient(base.getHttpClient().newBuilder().addInterceptor(counting).build());
        c.setBasePath(base.getBasePath());
        return c;
    }

    // ------------------------------------------------------------------ (1) latency

    private void latency() throws Exception {
        int changes = Integer.getInteger("bench.changes", 200);
        int warmup = 20;
        out("");
        out("-- (1) latency: pod status write on the loopback API server -> IncidentEngine opens the incident ("
                + changes + " changes after " + warmup + " warm-up; engine.start(), rules analyzer, approval mode)");
        try (LoopbackKubeServer server = LoopbackKubeServer.start()) {
            ClusterSeed seed = new ClusterSeed(server.apiClient());
            seed.namespace("bench");
            List<V1Pod> pods = new ArrayList<>();
            for (int i = 0; i < changes + warmup; i++) pods.addAll(seed.deployment("bench", "app-" + i, 1, "app:1"));
            Clocked clocked = new Clocked();
            try (IncidentEngine engine = IncidentEngine.builder().apiClient(server.apiClient())
                    .config(Map.of("remediation.mode", "approval", "monitoring.scan_interval", "1h"))
                    .listener(clocked).logAudit(false).build()) {
                engine.start();
                Await.until(Duration.ofSeconds(60), engine::isReady, "caches synced");
                long[] fromWrite = new long[changes];
                long[] fromAck = new long[changes];
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                long cpuBefore = engineThreadCpu(threads);
                for (int i = 0; i < changes + warmup; i++) {
                    V1Pod p = pods.get(i);
                    String root = "app-" + i;
                    V1Pod current = seed.core().readNamespacedPod(p.getMetadata().getName(), "bench").execute();
                    current.status(ClusterSeed.crashLooping(5));
                    long t0 = System.nanoTime();
                    seed.core().replaceNamespacedPodStatus(p.getMetadata().getName(), "bench", current).execute();
                    long t1 = System.nanoTime();
                    Await.until(Duration.ofSeconds(30), () -> clocked.opened.containsKey(root), "incident of " + root);
                    long at = clocked.opened.get(root);
                    if (i >= warmup) {
                        fromWrite[i - warmup] = at - t0;
                        fromAck[i - warmup] = Math.max(0, at - t1);
                    }
                }
                long cpu = engineThreadCpu(threads) - cpuBefore;
                out(String.format("from the status write's start:     p50 %.2f ms, p99 %.2f ms, max %.2f ms", pct(fromWrite, 50),
                        pct(fromWrite, 99), pct(fromWrite, 100)));
                out(String.format("from the write's acknowledgement: p50 %.2f ms, p99 %.2f ms", pct(fromAck, 50), pct(fromAck, 99)));
                out(String.format("engine CPU (informer, detection, correlation, evidence, rules analysis, planning threads): "
                        + "%.2f ms per incident over %d incidents", cpu / 1e6 / (changes + warmup), changes + warmup));
                assertEquals(changes + warmup, clocked.opened.size());
            }
        }
    }

    /** CPU of every thread but the in-process API server's and this one. */
    private static long engineThreadCpu(ThreadMXBean threads) {
        long sum = 0;
        long self = Thread.currentThread().getId();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null || info.getThreadId() == self || info.getThreadName().startsWith("loopback-kube-")) continue;
            long c = threads.getThreadCpuTime(info.getThreadId());
            if (c > 0) sum += c;
        }
        return sum;
    }

    // ------------------------------------------------------------------ (2) watch against polling

    private void watchAgainstPolling() throws Exception {
        int steady = Integer.getInteger("bench.steadySeconds", 60);
        int pollChanges = Integer.getInteger("bench.pollChanges", 4);
        int deployments = 200;
        Duration interval = Duration.ofSeconds(30);
        out("");
        out("-- (2) watch (engine.start()) against polling (engine.runOnce() every " + interval.toSeconds()
                + " s, listing every watched kind, as the original design did): " + deployments
                + " Deployments with a ReplicaSet and a pod each, " + steady + " s of steady state each");
        try (LoopbackKubeServer server = LoopbackKubeServer.start()) {
            ClusterSeed seed = new ClusterSeed(server.apiClient());
            seed.namespace("bench");
            List<V1Pod> pods = new ArrayList<>();
            for (int i = 0; i < deployments; i++) pods.addAll(seed.deployment("bench", "app-" + i, 1, "app:1"));
            Map<String, String> config = Map.of("remediation.mode", "approval", "monitoring.scan_interval", interval.toSeconds() + "s");

            Counting watchCount = new Counting();
            Clocked watchClock = new Clocked();
            double[] watchLatency = new double[pollChanges];
            try (IncidentEngine engine = IncidentEngine.builder().apiClient(counted(server.apiClient(), watchCount))
                    .config(config).listener(watchClock).logAudit(false).build()) {
                engine.start();
                Await.until(Duration.ofSeconds(60), engine::isReady, "caches synced");
                Thread.sleep(5_000);  // the first sweep and anything it started
                long r0 = watchCount.requests.get();
                long b0 = watchCount.bytes.get();
                Thread.sleep(steady * 1000L);
                double perMinute = 60.0 / steady;
                watchRequests = (watchCount.requests.get() - r0) * perMinute;
                out(String.format("watch:   %.1f requests/min, %,.0f bytes/min in steady state",
                        watchRequests, (watchCount.bytes.get() - b0) * perMinute));
                for (int i = 0; i < pollChanges; i++) {
                    watchLatency[i] = crashAndWait(seed, pods.get(i), "app-" + i, watchClock, Duration.ofSeconds(30));
                }
                out(String.format("watch:   detection latency over %d changes: %s ms", pollChanges, fmt(watchLatency)));
            }

            Counting pollCount = new Counting();
            Clocked pollClock = new Clocked();
            double[] pollLatency = new double[pollChanges];
            try (IncidentEngine engine = IncidentEngine.builder().apiClient(counted(server.apiClient(), pollCount))
                    .config(config).listener(pollClock).logAudit(false).build()) {
                java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
                AtomicLong polls = new AtomicLong();
                try {
                    timer.scheduleAtFixedRate(() -> {
                        try {
                            engine.runOnce();
                            polls.incrementAndGet();
                        } catch (Exception e) {
                            System.err.println("poll failed: " + e);
                        }
                    }, 0, interval.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                    // Steady state: after the first poll and its work; then whole intervals, so every window holds
                    // the same number of polls.
                    Await.until(Duration.ofSeconds(120), () -> polls.get() >= 1, "the first poll");
                    long windows = Math.max(1, Math.round(steady / (double) interval.toSeconds()));
                    long r0 = pollCount.requests.get();
                    long b0 = pollCount.bytes.get();
                    Thread.sleep(windows * interval.toMillis());
                    double perMinute = 60.0 / (windows * interval.toSeconds());
                    double pollRequests = (pollCount.requests.get() - r0) * perMinute;
                    out(String.format("polling: %.1f requests/min, %,.0f bytes/min in steady state",
                            pollRequests, (pollCount.bytes.get() - b0) * perMinute));
                    for (int i = 0; i < pollChanges; i++) {
                        // already crash-looping from the watch run: heal, let the poll resolve it, break another pod
                        pollLatency[i] = crashAndWait(seed, pods.get(pollChanges + i), "app-" + (pollChanges + i), pollClock,
                                interval.multipliedBy(3));
                        Thread.sleep((long) (Math.random() * 5_000));
                    }
                    out(String.format("polling: detection latency over %d changes: %s ms", pollChanges, fmt(pollLatency)));
                    out(String.format("ratio:   polling makes %s the requests of the watch in steady state; "
                                    + "detection p50 %.0f ms (polling) vs %.1f ms (watch)",
                            watchRequests == 0 ? "all (the watch made none)" : String.format("%.0fx", pollRequests / watchRequests),
                            median(pollLatency), median(watchLatency)));
                } finally {
                    timer.shutdownNow();
                }
            }
        }
    }

    private double watchRequests;

    private static double crashAndWait(ClusterSeed seed, V1Pod pod, String root, Clocked clocked, Duration max) throws Exception {
        V1Pod current = seed.core().readNamespacedPod(pod.getMetadata().getName(), "bench").execute();
        current.status(ClusterSeed.crashLooping(5));
        long t0 = System.nanoTime();
        seed.core().replaceNamespacedPodStatus(pod.getMetadata().getName(), "bench", current).execute();
        Await.until(max, () -> clocked.opened.containsKey(root), "incident of " + root);
        return (clocked.opened.get(root) - t0) / 1e6;
    }

    // ------------------------------------------------------------------ (3) concurrent analyses

    private void concurrentAnalyses() throws Exception {
        int incidents = 100;
        Duration analysis = Duration.ofSeconds(2);
        out("");
        out("-- (3) " + incidents + " incidents at once, an analyzer that takes " + analysis.toSeconds()
                + " s each, analysis.concurrency 4 (engine.start())");
        try (LoopbackKubeServer server = LoopbackKubeServer.start()) {
            ClusterSeed seed = new ClusterSeed(server.apiClient());
            seed.namespace("bench");
            List<V1Pod> pods = new ArrayList<>();
            for (int i = 0; i <= incidents; i++) pods.addAll(seed.deployment("bench", "app-" + i, 1, "app:1"));
            Analyzer slow = new Analyzer() {
                public String id() {
                    return "slow";
                }

                public int priority() {
                    return 1000;
                }

                public AnalysisOutcome analyze(AnalysisRequest request) {
                    try {
                        Thread.sleep(analysis.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return AnalysisOutcome.failed("interrupted");
                    }
                    return AnalysisOutcome.diagnosed(new Diagnosis("application-crash", "slow answer", "benchmark", 0.5, "slow",
                            List.of(), Map.of()));
                }
            };
            Clocked clocked = new Clocked();
            try (IncidentEngine engine = IncidentEngine.builder().apiClient(server.apiClient())
                    .config(Map.of("remediation.mode", "approval", "monitoring.scan_interval", "1h", "analysis.concurrency", "4"))
                    .addAnalyzer(slow).listener(clocked).logAudit(false).build()) {
                engine.start();
                Await.until(Duration.ofSeconds(60), engine::isReady, "caches synced");
                long t0 = System.nanoTime();
                for (int i = 0; i < incidents; i++) seed.setStatus(pods.get(i), ClusterSeed.crashLooping(5));
                long written = System.nanoTime();
                Await.until(Duration.ofSeconds(30), () -> clocked.opened.size() >= incidents, "all opened");
                long allOpened = System.nanoTime();
                Thread.sleep(3_000);  // analyses are under way
                double newOne = crashAndWait(seed, pods.get(incidents), "app-" + incidents, clocked, Duration.ofSeconds(30));
                Await.until(Duration.ofSeconds(300), () -> clocked.analyzed.size() >= incidents + 1, "all planned");
                long last = clocked.analyzed.values().stream().mapToLong(Long::longValue).max().orElseThrow();
                out(String.format("writes done in %.1f s; all %d incidents opened %.2f s after the first write",
                        (written - t0) / 1e9, incidents, (allOpened - t0) / 1e9));
                out(String.format("all %d planned %.1f s after the first write (one after another would take %d s)",
                        incidents + 1, (last - t0) / 1e9, (incidents + 1) * analysis.toSeconds()));
                out(String.format("a new incident 3 s into the analyses was opened %.1f ms after its status write", newOne));
            }
        }
    }

    // ------------------------------------------------------------------ (4) sweep over fed caches

    static List<Detector> allDetectors() {
        List<Detector> ds = new ArrayList<>();
        for (DetectorProvider p : ServiceLoader.load(DetectorProvider.class)) {
            ds.add(p.create(new io.kubeincident.core.detect.DetectorSetTest.Ctx()));
        }
        return ds;
    }

    private void sweep() {
        int deployments = Integer.getInteger("bench.deployments", 2000);
        SyntheticCluster.Shape shape = new SyntheticCluster.Shape(100, deployments, 5, 5, 0.03);
        out("");
        out("-- (4) the engine's full sweep (its DetectorSet and Correlator) over caches fed directly (" + shape + ")");
        long base = SyntheticCluster.usedHeapAfterGc();
        InformerClusterView view = InformerClusterView.of(SyntheticCluster.build(shape, Fixtures.NOW, 42));
        long heap = SyntheticCluster.usedHeapAfterGc() - base;
        out(String.format("objects cached: pods %,d, deployments %,d, replicasets %,d, nodes %,d, events %,d; retained heap %.1f MiB",
                view.size(V1Pod.class), view.size(io.kubernetes.client.openapi.models.V1Deployment.class),
                view.size(io.kubernetes.client.openapi.models.V1ReplicaSet.class),
                view.size(io.kubernetes.client.openapi.models.V1Node.class),
                view.size(io.kubernetes.client.openapi.models.CoreV1Event.class), heap / 1048576.0));
        DetectorSet detectors = new DetectorSet(allDetectors(), null);
        BasicDetectionContext ctx = new BasicDetectionContext(view, ConfigView.empty(), Fixtures.CLOCK);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] cpu = new long[7];
        Map<ResourceRef, List<Finding>> found = Map.of();
        for (int i = 0; i < cpu.length; i++) {
            long c = mx.getCurrentThreadCpuTime();
            found = detectors.sweep(view, ctx, null);
            cpu[i] = mx.getCurrentThreadCpuTime() - c;
        }
        long t = mx.getCurrentThreadCpuTime();
        List<IncidentEvent> events = new Correlator(CorrelationConfig.defaults(), Fixtures.CLOCK).reconcile(found, view);
        long correlate = mx.getCurrentThreadCpuTime() - t;
        long[] sorted = cpu.clone();
        Arrays.sort(sorted);
        out(String.format("sweep of %d detectors: median of %d %.1f ms CPU (first, cold: %.1f ms); %,d objects with findings;"
                        + " correlated into %,d incidents in %.1f ms CPU", detectors.detectors().size(), cpu.length,
                sorted[cpu.length / 2] / 1e6, cpu[0] / 1e6, found.size(), events.size(), correlate / 1e6));
        assertTrue(found.size() > 0);
    }

    // ------------------------------------------------------------------ helpers

    private static double pct(long[] nanos, int p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int idx = p >= 100 ? s.length - 1 : (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, idx)] / 1e6;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String fmt(double[] v) {
        return String.join(", ", Arrays.stream(v).mapToObj(d -> String.format("%.1f", d)).toList());
    }
}

package io.kubeincident.prometheus;

import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.EvidenceContributor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Metrics as evidence: compact facts about an incident's containers and workload from Prometheus, a few hundred
 * tokens at most, each a short line. The queries of one incident run in parallel, each with the client's deadline;
 * when Prometheus cannot answer, the facts say {@code metricsUnavailable: <why>} and the rest of the evidence is
 * unaffected.
 *
 * <p>Facts (names the rules read): {@code memoryWorkingSet}, {@code memoryTrend} ({@link MemoryTrend} constants),
 * {@code memorySlope}, {@code memoryTimeToLimit}, {@code cpuUsage}, {@code cpuThrottling}, {@code restarts},
 * {@code errorRate}, {@code latencyP99}, {@code metricsUnavailable}. Series names are those of cAdvisor
 * ({@code container_memory_working_set_bytes}, {@code container_cpu_usage_seconds_total},
 * {@code container_cpu_cfs_*}), kube-state-metrics ({@code kube_pod_container_resource_limits/requests},
 * {@code kube_pod_container_status_restarts_total}) and the common HTTP ones ({@code http_requests_total},
 * {@code http_request_duration_seconds_bucket}); a missing series leaves its fact out.
 */
public final class MetricsEvidenceContributor implements EvidenceContributor, AutoCloseable {
    private static final Set<String> WORKLOAD_KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob");

    private final PrometheusClient client;
    private final Clock clock;
    private final Duration window;
    private final ExecutorService pool;

    public MetricsEvidenceContributor(PrometheusClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
        this.window = client.config().evidenceWindow();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "kube-incident-prometheus-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String id() {
        return "prometheus-metrics";
    }

    /** The label selector for an incident's containers, or null when it has no namespaced workload to measure. */
    static String selector(Incident incident) {
        String ns = incident.namespace();
        if (ns == null) return null;
        Set<String> pods = new LinkedHashSet<>();
        for (ResourceRef r : incident.resources()) if ("Pod".equals(r.kind())) pods.add(r.name());
        for (Finding f : incident.findings()) if ("Pod".equals(f.resource().kind())) pods.add(f.resource().name());
        String pod;
        if (!pods.isEmpty()) {
            pod = String.join("|", pods.stream().limit(50).map(MetricsEvidenceContributor::quoteRegex).toList());
        } else if (WORKLOAD_KINDS.contains(incident.rootResource().kind()) || "Pod".equals(incident.rootResource().kind())) {
            pod = quoteRegex(incident.rootResource().name()) + "(-.+)?";
        } else {
            return null;
        }
        Set<String> containers = new LinkedHashSet<>();
        for (Finding f : incident.findings()) if (f.fact("container") != null) containers.add(f.fact("container"));
        String container = containers.isEmpty() ? "container!=\"\",container!=\"POD\""
                : "container=~\"" + String.join("|", containers.stream().map(MetricsEvidenceContributor::quoteRegex).toList()) + "\"";
        return "namespace=\"" + escape(ns) + "\",pod=~\"" + escape(pod) + "\"," + container;
    }

    @Override
    public Map<String, String> facts(Incident incident, ClusterView cluster) {
        String sel = selector(incident);
        if (sel == null) return Map.of();
        Instant now = clock.instant();
        Map<String, String> q = new LinkedHashMap<>();
        q.put("memLimit", "max by (container) (kube_pod_container_resource_limits{" + sel + ",resource=\"memory\"})");
        q.put("cpu", "sum by (container) (rate(container_cpu_usage_seconds_total{" + sel + "}[5m]))");
        q.put("cpuRequest", "max by (container) (kube_pod_container_resource_requests{" + sel + ",resource=\"cpu\"})");
        q.put("cpuLimit", "max by (container) (kube_pod_container_resource_limits{" + sel + ",resource=\"cpu\"})");
        q.put("throttle", "sum by (container) (rate(container_cpu_cfs_throttled_periods_total{" + sel + "}[5m])) / "
                + "sum by (container) (rate(container_cpu_cfs_periods_total{" + sel + "}[5m]))");
        q.put("restarts1h", "sum by (container) (increase(kube_pod_container_status_restarts_total{" + sel + "}[1h]))");
        q.put("restarts1d", "sum by (container) (increase(kube_pod_container_status_restarts_total{" + sel + "}[1d]))");
        String podSel = sel.substring(0, sel.indexOf(",container"));
        q.put("errors", "sum(rate(http_requests_total{" + podSel + ",code=~\"5..\"}[5m])) / sum(rate(http_requests_total{" + podSel + "}[5m]))");
        q.put("p99", "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{" + podSel + "}[5m])))");

        Map<String, Future<PromResult>> futures = new LinkedHashMap<>();
        Duration range = window.compareTo(Duration.ofHours(6)) > 0 ? window : Duration.ofHours(6);
        Duration step = Duration.ofSeconds(Math.max(15, range.toSeconds() / 240));
        futures.put("memory", pool.submit(() -> client.queryRange("max by (container) (container_memory_working_set_bytes{" + sel + "})",
                now.minus(range), now, step)));
        q.forEach((k, promql) -> futures.put(k, pool.submit(() -> client.query(promql, now))));

        Map<String, PromResult> results = new LinkedHashMap<>();
        long deadline = System.nanoTime() + client.config().queryTimeout().plusSeconds(2).toNanos();
        List<String> unavailable = new ArrayList<>();
        for (Map.Entry<String, Future<PromResult>> e : futures.entrySet()) {
            try {
                PromResult r = e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                results.put(e.getKey(), r);
                if (r instanceof PromResult.Unavailable u && !unavailable.contains(u.reason())) unavailable.add(u.reason());
            } catch (TimeoutException ex) {
                e.getValue().cancel(true);
                String why = "no answer within " + client.config().queryTimeout().toMillis() + " ms";
                if (!unavailable.contains(why)) unavailable.add(why);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return Map.of("metricsUnavailable", "interrupted");
            } catch (java.util.concurrent.ExecutionException ex) {
                unavailable.add(String.valueOf(ex.getCause()));
            }
        }
        Map<String, String> facts = new LinkedHashMap<>();
        if (results.values().stream().noneMatch(r -> r instanceof PromResult.Ok)) {
            facts.put("metricsUnavailable", String.join("; ", unavailable.stream().limit(2).toList()));
            return facts;
        }
        memory(results, facts);
        cpu(results, facts);
        double r1h = first(results.get("restarts1h"));
        double r1d = first(results.get("restarts1d"));
        if (!Double.isNaN(r1h) || !Double.isNaN(r1d)) {
            facts.put("restarts", (Double.isNaN(r1h) ? "?" : Long.toString(Math.round(r1h))) + " in 1h, "
                    + (Double.isNaN(r1d) ? "?" : Long.toString(Math.round(r1d))) + " in 1d");
        }
        double err = first(results.get("errors"));
        if (!Double.isNaN(err)) facts.put("errorRate", pct(err) + " of requests 5xx (5m)");
        double p99 = first(results.get("p99"));
        if (!Double.isNaN(p99) && !Double.isInfinite(p99)) facts.put("latencyP99", String.format(Locale.ROOT, "%.3fs (5m)", p99));
        if (!unavailable.isEmpty()) facts.put("metricsUnavailable", "partly: " + String.join("; ", unavailable.stream().limit(2).toList()));
        return facts;
    }

    private void memory(Map<String, PromResult> results, Map<String, String> facts) {
        if (!(results.get("memory") instanceof PromResult.Ok ok) || ok.series().isEmpty()) return;
        Map<String, Double> limits = byContainer(results.get("memLimit"));
        // The container closest to its limit speaks for the incident.
        PromResult.Series worst = null;
        double worstRatio = -1;
        for (PromResult.Series s : ok.series()) {
            double lim = limits.getOrDefault(s.label("container"), Double.NaN);
            double ratio = Double.isNaN(lim) ? 0 : max(s.samples()) / lim;
            if (worst == null || ratio > worstRatio) {
                worst = s;
                worstRatio = ratio;
            }
        }
        if (worst == null || worst.samples().isEmpty()) return;
        String c = worst.label("container");
        double limit = limits.getOrDefault(c, Double.NaN);
        double hourStart = worst.samples().get(worst.samples().size() - 1).time() - window.toSeconds();
        List<PromResult.Sample> lastHour = worst.samples().stream().filter(s -> s.time() >= hourStart).toList();
        double min = lastHour.stream().mapToDouble(PromResult.Sample::value).min().orElse(Double.NaN);
        double mx = max(lastHour);
        double last = worst.last();
        String prefix = ok.series().size() > 1 && c != null ? c + ": " : "";
        facts.put("memoryWorkingSet", prefix + "last " + bytes(last) + ", min " + bytes(min) + ", max " + bytes(mx) + " over "
                + human(window) + (Double.isNaN(limit) ? "; no limit" : "; limit " + bytes(limit) + " (max " + pct(mx / limit) + ")"));
        MemoryTrend.Reading t = MemoryTrend.read(worst.samples(), limit);
        facts.put("memoryTrend", t.trend());
        facts.put("memorySlope", (t.slopePerHour() >= 0 ? "+" : "-") + bytes(Math.abs(t.slopePerHour())) + "/h over "
                + String.format(Locale.ROOT, "%.1fh", t.segmentHours()) + String.format(Locale.ROOT, " (fit %.2f)", t.r2()));
        if (!Double.isNaN(t.secondsToLimit())) facts.put("memoryTimeToLimit", human(Duration.ofSeconds((long) t.secondsToLimit())));
    }

    private void cpu(Map<String, PromResult> results, Map<String, String> facts) {
        double used = sum(results.get("cpu"));
        if (Double.isNaN(used)) return;
        double req = sum(results.get("cpuRequest"));
        double lim = sum(results.get("cpuLimit"));
        facts.put("cpuUsage", String.format(Locale.ROOT, "%.3f cores (5m)", used)
                + (Double.isNaN(req) ? "" : String.format(Locale.ROOT, "; request %.3f", req))
                + (Double.isNaN(lim) ? "; no limit" : String.format(Locale.ROOT, "; limit %.3f (%s)", lim, pct(used / lim))));
        double thr = first(results.get("throttle"));
        if (!Double.isNaN(thr)) facts.put("cpuThrottling", pct(thr) + " of CFS periods throttled (5m)");
    }

    private static Map<String, Double> byContainer(PromResult r) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (r instanceof PromResult.Ok ok) for (PromResult.Series s : ok.series()) m.put(s.label("container"), s.last());
        return m;
    }

    private static double first(PromResult r) {
        if (!(r instanceof PromResult.Ok ok) || ok.series().isEmpty()) return Double.NaN;
        double best = Double.NaN;
        for (PromResult.Series s : ok.series()) if (Double.isNaN(best) || s.last() > best) best = s.last();
        return best;
    }

    private static double sum(PromResult r) {
        if (!(r instanceof PromResult.Ok ok) || ok.series().isEmpty()) return Double.NaN;
        return ok.series().stream().mapToDouble(PromResult.Series::last).filter(v -> !Double.isNaN(v)).sum();
    }

    private static double max(List<PromResult.Sample> samples) {
        return samples.stream().mapToDouble(PromResult.Sample::value).max().orElse(Double.NaN);
    }

    static String bytes(double b) {
        if (Double.isNaN(b)) return "?";
        if (b >= 1 << 30) return String.format(Locale.ROOT, "%.2fGi", b / (1 << 30));
        if (b >= 1 << 20) return String.format(Locale.ROOT, "%.0fMi", b / (1 << 20));
        if (b >= 1 << 10) return String.format(Locale.ROOT, "%.0fKi", b / (1 << 10));
        return String.format(Locale.ROOT, "%.0f", b);
    }

    static String pct(double ratio) {
        return String.format(Locale.ROOT, "%.1f%%", ratio * 100);
    }

    static String human(Duration d) {
        long m = d.toMinutes();
        if (m < 120) return m + "m";
        if (m < 48 * 60) return String.format(Locale.ROOT, "%.1fh", m / 60.0);
        return String.format(Locale.ROOT, "%.1fd", m / 1440.0);
    }

    private static String quoteRegex(String s) {
        return s.replaceAll("([.\\\\+*?\\[\\]^$(){}|])", "\\\\$1");
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

package io.kubeincident.prometheus;

import io.kubeincident.api.Finding;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.FindingSink;
import io.kubeincident.spi.FindingSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Detectors over metrics, evaluated every {@code prometheus.detect.interval} and reported to the engine's
 * {@link FindingSink} (source {@link Finding#SOURCE_METRICS}):
 * <ul>
 *   <li>user PromQL rules ({@link PromqlRule}): each returned series that has held for {@code for} is a finding;</li>
 *   <li>multiwindow, multi-burn-rate SLOs ({@link SloSpec}): fast and slow burns of the error budget;</li>
 *   <li>anomalies ({@link AnomalySpec}): a value far from its robust same-time-of-day baseline.</li>
 * </ul>
 * A condition that is no longer returned is cleared. When Prometheus cannot answer, nothing is cleared (it is not
 * known to be gone) and the reason is logged once per change; a truncated answer clears nothing either.
 */
public final class MetricsDetectors implements FindingSource {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsDetectors.class);

    private final PrometheusClient client;
    private final PrometheusConfig config;
    private final AlertMapping mapping;
    private final Clock clock;
    private final Map<String, Instant> pendingSince = new HashMap<>();
    private final Map<String, Finding> reported = new HashMap<>();
    private volatile FindingSink sink = FindingSink.discarding();
    private ScheduledExecutorService scheduler;
    private volatile String lastProblem;

    public MetricsDetectors(PrometheusClient client, Clock clock) {
        this.client = client;
        this.config = client.config();
        this.mapping = new AlertMapping(config);
        this.clock = clock;
    }

    @Override
    public String id() {
        return "prometheus-detectors";
    }

    @Override
    public synchronized void start(FindingSink sink) {
        this.sink = sink;
        reported.forEach(sink::report);
        if (scheduler != null) return;
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kube-incident-prometheus-detectors");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                evaluate();
            } catch (RuntimeException e) {
                LOG.warn("metrics detectors failed: {}", e.toString());
            }
        }, 0, config.detectInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) scheduler.shutdownNow();
        scheduler = null;
        sink = FindingSink.discarding();
    }

    /** Findings reported and not cleared, by source key. */
    public synchronized Map<String, Finding> active() {
        return Map.copyOf(reported);
    }

    /** One evaluation of every rule, SLO and anomaly spec (the scheduler's; callable directly). */
    public synchronized void evaluate() {
        Instant now = clock.instant();
        for (PromqlRule rule : config.rules()) {
            PromResult r = client.query(rule.expr(), now);
            apply("rule:" + rule.name(), r, now, rule.forDuration(), s -> finding(rule, s, now));
        }
        for (SloSpec slo : config.slos()) {
            for (SloSpec.Burn burn : SloSpec.BURNS) {
                PromResult r = client.query(slo.query(burn), now);
                apply("slo:" + slo.name() + ":" + burn.id(), r, now, Duration.ZERO, s -> finding(slo, burn, s, now));
            }
        }
        for (AnomalySpec spec : config.anomalies()) anomalies(spec, now);
    }

    private interface ToFinding {
        Optional<Finding> apply(PromResult.Series series);
    }

    /** Reports what {@code result} returns under {@code prefix}; clears what it no longer returns. */
    private void apply(String prefix, PromResult result, Instant now, Duration hold, ToFinding toFinding) {
        if (result instanceof PromResult.Unavailable u) {
            problem(prefix + ": metrics unavailable: " + u.reason());
            return;
        }
        PromResult.Ok ok = (PromResult.Ok) result;
        Set<String> present = new HashSet<>();
        for (PromResult.Series s : ok.series()) {
            String key = prefix + ":" + labelKey(s.labels());
            present.add(key);
            Instant since = pendingSince.computeIfAbsent(key, k -> now);
            if (Duration.between(since, now).compareTo(hold) < 0) continue;
            Optional<Finding> f = toFinding.apply(s);
            if (f.isEmpty()) continue;
            Finding prev = reported.put(key, f.get());
            if (!f.get().equals(prev)) sink.report(key, f.get());
        }
        if (ok.truncated()) {
            problem(prefix + ": more series than prometheus.max_series; nothing cleared this round");
            return;
        }
        clearAbsent(prefix + ":", present);
    }

    private void clearAbsent(String prefix, Set<String> present) {
        pendingSince.keySet().removeIf(k -> k.startsWith(prefix) && !present.contains(k));
        List<String> gone = new ArrayList<>();
        for (String k : reported.keySet()) if (k.startsWith(prefix) && !present.contains(k)) gone.add(k);
        for (String k : gone) {
            reported.remove(k);
            sink.clear(k);
        }
    }

    private Optional<Finding> finding(PromqlRule rule, PromResult.Series s, Instant now) {
        Optional<ResourceRef> ref = mapping.withLabels(rule.labels()).resource(s.labels());
        if (ref.isEmpty()) {
            problem("rule " + rule.name() + ": result labels " + s.labels().keySet() + " name no resource");
            return Optional.empty();
        }
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("rule", rule.name());
        facts.put("value", num(s.last()));
        String c = mapping.container(s.labels());
        if (c != null) facts.put("container", c);
        return Optional.of(new Finding("prometheus-rule", rule.type(), rule.severity(), ref.get(),
                "PromQL rule " + rule.name() + " holds for " + ref.get().key() + " (value " + num(s.last()) + ")", facts, now,
                Finding.SOURCE_METRICS));
    }

    private Optional<Finding> finding(SloSpec slo, SloSpec.Burn burn, PromResult.Series s, Instant now) {
        Optional<ResourceRef> ref = mapping.withLabels(slo.labels()).resource(s.labels());
        if (ref.isEmpty()) {
            problem("slo " + slo.name() + ": result labels " + s.labels().keySet() + " name no resource");
            return Optional.empty();
        }
        double threshold = burn.factor() * slo.budget();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("slo", slo.name());
        facts.put("objective", num(slo.objective()));
        facts.put("burn", burn.id());
        facts.put("burnRate", num(s.last() / slo.budget()));
        facts.put("errorRatio", MetricsEvidenceContributor.pct(s.last()) + " over " + burn.longWindow());
        facts.put("burnThreshold", burn.factor() + "x (" + MetricsEvidenceContributor.pct(threshold) + " errors over both "
                + burn.longWindow() + " and " + burn.shortWindow() + ")");
        Severity severity = Severity.max(slo.severity(), burn.severity());
        String msg = String.format(Locale.ROOT, "SLO %s of %s: %s burn of the error budget, %.1f× over %s and %s (%s errors, objective %s)",
                slo.name(), ref.get().key(), burn.id(), s.last() / slo.budget(), burn.longWindow(), burn.shortWindow(),
                MetricsEvidenceContributor.pct(s.last()), num(slo.objective()));
        return Optional.of(new Finding("prometheus-slo", SloSpec.INCIDENT_TYPE, severity, ref.get(), msg, facts, now,
                Finding.SOURCE_METRICS));
    }

    private void anomalies(AnomalySpec spec, Instant now) {
        String prefix = "anomaly:" + spec.name();
        PromResult current = client.query(spec.expr(), now);
        if (current instanceof PromResult.Unavailable u) {
            problem(prefix + ": metrics unavailable: " + u.reason());
            return;
        }
        Map<String, List<Double>> history = new HashMap<>();
        for (int day = 1; day <= spec.days(); day++) {
            PromResult past = client.query(spec.expr(), now.minus(Duration.ofDays(day)));
            if (past instanceof PromResult.Unavailable u) {
                problem(prefix + ": metrics unavailable: " + u.reason());
                return;
            }
            for (PromResult.Series s : ((PromResult.Ok) past).series()) {
                if (!Double.isNaN(s.last())) history.computeIfAbsent(labelKey(s.labels()), k -> new ArrayList<>()).add(s.last());
            }
        }
        Set<String> present = new HashSet<>();
        for (PromResult.Series s : ((PromResult.Ok) current).series()) {
            String key = prefix + ":" + labelKey(s.labels());
            Anomaly a = score(s.last(), history.getOrDefault(labelKey(s.labels()), List.of()), spec);
            if (a == null || !a.flagged()) continue;
            Optional<ResourceRef> ref = mapping.withLabels(spec.labels()).resource(s.labels());
            if (ref.isEmpty()) {
                problem("anomaly " + spec.name() + ": result labels " + s.labels().keySet() + " name no resource");
                continue;
            }
            present.add(key);
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("anomaly", spec.name());
            facts.put("anomalyScore", String.format(Locale.ROOT, "%.1f", a.score()));
            facts.put("anomalyValue", num(s.last()));
            facts.put("anomalyBaseline", "median " + num(a.median()) + ", MAD " + num(a.mad()) + " over " + a.days() + " days at this time");
            Finding f = new Finding("prometheus-anomaly", AnomalySpec.INCIDENT_TYPE, spec.severity(), ref.get(),
                    String.format(Locale.ROOT, "%s of %s is %s against a baseline of %s at this time of day (score %.1f)",
                            spec.name(), ref.get().key(), num(s.last()), num(a.median()), a.score()), facts, now,
                    Finding.SOURCE_METRICS);
            Finding prev = reported.put(key, f);
            if (!f.equals(prev)) sink.report(key, f);
        }
        clearAbsent(prefix + ":", present);
    }

    /** A robust score: how many (scaled) MADs {@code value} is from the median of {@code history}. */
    public record Anomaly(double median, double mad, double score, int days, boolean flagged) {
    }

    /** The score of {@code value} against {@code history}, or null with too little history ({@code minHistory}). */
    public static Anomaly score(double value, List<Double> history, AnomalySpec spec) {
        if (Double.isNaN(value) || history.size() < spec.minHistory()) return null;
        double median = MemoryTrend.median(history);
        double mad = MemoryTrend.mad(history, median);
        double scale = Math.max(1.4826 * mad, Math.max(0.05 * Math.abs(median), 1e-9));
        double change = Math.abs(value - median);
        double score = change / scale;
        return new Anomaly(median, mad, score, history.size(), change >= spec.minChange() && score >= spec.threshold());
    }

    private void problem(String p) {
        if (!p.equals(lastProblem)) LOG.warn("{}", p);
        lastProblem = p;
    }

    private static String labelKey(Map<String, String> labels) {
        TreeMap<String, String> sorted = new TreeMap<>(labels);
        sorted.remove("__name__");
        return sorted.toString();
    }

    private static String num(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (v == Math.rint(v) && Math.abs(v) < 1e12) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.4g", v);
    }
}

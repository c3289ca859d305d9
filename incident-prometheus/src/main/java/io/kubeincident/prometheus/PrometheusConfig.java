package io.kubeincident.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Ids;
import io.kubeincident.api.Severity;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code prometheus.*} configuration, read by {@link #from(ConfigView)} which checks every key and throws one
 * {@link PrometheusConfigException} listing every problem. Unknown keys under {@code prometheus.} are errors.
 * {@link #toString()} never prints the token or password.
 *
 * @param url              {@code prometheus.url}: base URL of the Prometheus HTTP API ({@code null}: metrics off; the
 *                         Alertmanager intake works without it)
 * @param bearerToken      {@code prometheus.bearer_token} or {@code prometheus.bearer_token_file}
 * @param username         {@code prometheus.username} (basic auth)
 * @param password         {@code prometheus.password} or {@code prometheus.password_file}
 * @param caFile           {@code prometheus.ca_file}: PEM CA(s) for an https URL
 * @param connectTimeout   {@code prometheus.connect_timeout}, default 2s
 * @param queryTimeout     {@code prometheus.query_timeout}: deadline of one query (also sent as Prometheus'
 *                         {@code timeout}), default 5s
 * @param maxResponseBytes {@code prometheus.max_response_bytes}: larger answers are refused, default 4 MiB
 * @param maxSeries        {@code prometheus.max_series}: series kept from one answer, default 200
 * @param evidence         {@code prometheus.evidence.enabled}: metrics facts for incidents, default true with a URL
 * @param evidenceWindow   {@code prometheus.evidence.window}, default 1h
 * @param detectInterval   {@code prometheus.detect.interval}: how often rules, SLOs and anomalies are evaluated, 1m
 * @param labels           {@code prometheus.labels.<role>}: the label naming each kind of resource (alerts and
 *                         rule results); roles {@code namespace, pod, container, deployment, statefulset, daemonset,
 *                         job, node, service, pvc}
 * @param alertTypes       {@code prometheus.alerts.types.<AlertName>}: extra or changed alert name → incident type
 * @param alertQueue       {@code prometheus.alerts.queue_capacity}: alerts waiting for the engine, default 10000
 * @param rules            {@code prometheus.rules}: PromQL rules (a YAML list of mappings)
 * @param slos             {@code prometheus.slos}: error-ratio SLOs for burn-rate detection (a YAML list)
 * @param anomalies        {@code prometheus.anomalies}: metrics watched for anomalies (a YAML list)
 */
public record PrometheusConfig(URI url, String bearerToken, String username, String password, Path caFile,
                               Duration connectTimeout, Duration queryTimeout, long maxResponseBytes, int maxSeries,
                               boolean evidence, Duration evidenceWindow, Duration detectInterval,
                               Map<String, String> labels, Map<String, String> alertTypes, int alertQueue,
                               List<PromqlRule> rules, List<SloSpec> slos, List<AnomalySpec> anomalies) {

    /** The section this module reads; its keys and values are checked here, by {@link #from}, every problem listed. */
    public static final io.kubeincident.api.ConfigKeys CONFIG_KEYS = io.kubeincident.api.ConfigKeys.builder()
            .text("prometheus.**").build();

    public static final String PREFIX = "prometheus.";
    static final Set<String> KEYS = Set.of("url", "bearer_token", "bearer_token_file", "username", "password",
            "password_file", "ca_file", "connect_timeout", "query_timeout", "max_response_bytes", "max_series",
            "evidence.enabled", "evidence.window", "detect.interval", "alerts.queue_capacity", "rules", "slos",
            "anomalies");
    /** Resource roles and their default label names (kube-state-metrics and kubernetes-mixin conventions). */
    public static final Map<String, String> DEFAULT_LABELS = defaultLabels();
    private static final ObjectMapper JSON = new ObjectMapper();

    public PrometheusConfig {
        labels = Map.copyOf(labels);
        alertTypes = Map.copyOf(alertTypes);
        rules = List.copyOf(rules);
        slos = List.copyOf(slos);
        anomalies = List.copyOf(anomalies);
    }

    private static Map<String, String> defaultLabels() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String r : List.of("namespace", "pod", "container", "deployment", "statefulset", "daemonset", "node",
                "service", "job")) {
            m.put(r, r.equals("job") ? "job_name" : r);
        }
        m.put("pvc", "persistentvolumeclaim");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Defaults only: no Prometheus, alerts mapped with the default labels. */
    public static PrometheusConfig defaults() {
        return from(ConfigView.empty());
    }

    /** True when {@code prometheus.url} is set. */
    public boolean metricsEnabled() {
        return url != null;
    }

    public static PrometheusConfig from(ConfigView config) {
        List<String> problems = new ArrayList<>();
        Set<String> unknown = new TreeSet<>();
        for (String key : config.keys()) {
            if (!key.startsWith(PREFIX)) continue;
            String k = key.substring(PREFIX.length());
            if (KEYS.contains(k)) continue;
            if (k.startsWith("labels.") && DEFAULT_LABELS.containsKey(k.substring(7))) continue;
            if (k.startsWith("alerts.types.") && k.length() > 13) continue;
            unknown.add(key);
        }
        for (String key : unknown) {
            problems.add(key + ": unknown key (known: " + new TreeSet<>(KEYS) + ", labels.<"
                    + String.join("|", DEFAULT_LABELS.keySet()) + ">, alerts.types.<AlertName>)");
        }
        URI url = null;
        String rawUrl = config.getString(PREFIX + "url", null);
        if (rawUrl != null) {
            try {
                URI u = URI.create(rawUrl.endsWith("/") ? rawUrl.substring(0, rawUrl.length() - 1) : rawUrl);
                if (!"http".equalsIgnoreCase(u.getScheme()) && !"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
                    problems.add(PREFIX + "url: must be an http(s) URL with a host, was: " + rawUrl);
                } else if (u.getQuery() != null || u.getFragment() != null) {
                    problems.add(PREFIX + "url: must not carry a query or fragment: " + rawUrl);
                } else {
                    url = u;
                }
            } catch (IllegalArgumentException e) {
                problems.add(PREFIX + "url: not a URL: " + rawUrl);
            }
        }
        String token = secret(config, "bearer_token", "bearer_token_file", problems);
        String username = config.getString(PREFIX + "username", null);
        String password = secret(config, "password", "password_file", problems);
        if (token != null && (username != null || password != null)) {
            problems.add(PREFIX + "bearer_token and " + PREFIX + "username/password are both set: configure one");
        }
        if ((username == null) != (password == null) && token == null) {
            problems.add(PREFIX + "username and " + PREFIX + "password go together (basic auth)");
        }
        Path ca = null;
        String rawCa = config.getString(PREFIX + "ca_file", null);
        if (rawCa != null) {
            try {
                String pem = Files.readString(Path.of(rawCa), StandardCharsets.US_ASCII);
                if (!pem.contains("-----BEGIN CERTIFICATE-----")) problems.add(PREFIX + "ca_file: " + rawCa + " holds no PEM certificate");
                else ca = Path.of(rawCa);
            } catch (IOException | RuntimeException e) {
                problems.add(PREFIX + "ca_file: cannot read " + rawCa);
            }
        }
        Duration connect = positive(config, "connect_timeout", Duration.ofSeconds(2), problems);
        Duration query = positive(config, "query_timeout", Duration.ofSeconds(5), problems);
        long maxBytes = read(problems, () -> (long) config.getInt(PREFIX + "max_response_bytes", 4 << 20), 4L << 20);
        if (maxBytes < 1024) problems.add(PREFIX + "max_response_bytes: must be at least 1024, was " + maxBytes);
        int maxSeries = read(problems, () -> config.getInt(PREFIX + "max_series", 200), 200);
        if (maxSeries < 1 || maxSeries > 100_000) problems.add(PREFIX + "max_series: must be within 1..100000, was " + maxSeries);
        boolean evidence = read(problems, () -> config.getBoolean(PREFIX + "evidence.enabled", true), true);
        Duration window = positive(config, "evidence.window", Duration.ofHours(1), problems);
        Duration interval = positive(config, "detect.interval", Duration.ofMinutes(1), problems);
        Map<String, String> labels = new LinkedHashMap<>(DEFAULT_LABELS);
        for (String role : DEFAULT_LABELS.keySet()) {
            String v = config.getString(PREFIX + "labels." + role, null);
            if (v == null) continue;
            if (!v.matches("[a-zA-Z_][a-zA-Z0-9_]*")) problems.add(PREFIX + "labels." + role + ": not a Prometheus label name: " + v);
            else labels.put(role, v);
        }
        Map<String, String> alertTypes = new LinkedHashMap<>();
        for (String key : config.keys()) {
            if (!key.startsWith(PREFIX + "alerts.types.")) continue;
            String alert = key.substring((PREFIX + "alerts.types.").length());
            String type = config.getString(key, "");
            if (!Ids.isKebab(type)) problems.add(key + ": an incident type must be kebab-case, was: " + type);
            else alertTypes.put(alert, type);
        }
        int queue = read(problems, () -> config.getInt(PREFIX + "alerts.queue_capacity", 10_000), 10_000);
        if (queue < 1 || queue > 1_000_000) problems.add(PREFIX + "alerts.queue_capacity: must be within 1..1000000, was " + queue);
        List<PromqlRule> rules = new ArrayList<>();
        for (JsonNode n : list(config, "rules", problems)) {
            PromqlRule r = PromqlRule.parse(n, rules.size(), problems);
            if (r != null) rules.add(r);
        }
        List<SloSpec> slos = new ArrayList<>();
        for (JsonNode n : list(config, "slos", problems)) {
            SloSpec s = SloSpec.parse(n, slos.size(), problems);
            if (s != null) slos.add(s);
        }
        List<AnomalySpec> anomalies = new ArrayList<>();
        for (JsonNode n : list(config, "anomalies", problems)) {
            AnomalySpec a = AnomalySpec.parse(n, anomalies.size(), problems);
            if (a != null) anomalies.add(a);
        }
        if (url == null && (!rules.isEmpty() || !slos.isEmpty() || !anomalies.isEmpty())) {
            problems.add(PREFIX + "url: required for prometheus.rules, prometheus.slos and prometheus.anomalies");
        }
        if (!problems.isEmpty()) throw new PrometheusConfigException(problems);
        return new PrometheusConfig(url, token, username, password, ca, connect, query, maxBytes, maxSeries, evidence,
                window, interval, labels, alertTypes, queue, rules, slos, anomalies);
    }

    private static List<JsonNode> list(ConfigView config, String key, List<String> problems) {
        String raw = config.getString(PREFIX + key, null);
        if (raw == null) return List.of();
        try {
            JsonNode n = JSON.readTree(raw);
            if (n == null || !n.isArray()) {
                problems.add(PREFIX + key + ": must be a list of mappings");
                return List.of();
            }
            List<JsonNode> out = new ArrayList<>();
            for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) out.add(it.next());
            return out;
        } catch (IOException e) {
            problems.add(PREFIX + key + ": must be a list of mappings");
            return List.of();
        }
    }

    private static String secret(ConfigView config, String inline, String fileKey, List<String> problems) {
        String value = config.getString(PREFIX + inline, null);
        String file = config.getString(PREFIX + fileKey, null);
        if (value != null && file != null) {
            problems.add(PREFIX + inline + " and " + PREFIX + fileKey + ": set only one of them");
            return value;
        }
        if (file == null) return value;
        try {
            String v = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
            if (v.isEmpty()) problems.add(PREFIX + fileKey + ": " + file + " is empty");
            return v.isEmpty() ? null : v;
        } catch (IOException | RuntimeException e) {
            problems.add(PREFIX + fileKey + ": cannot read " + file);
            return null;
        }
    }

    private static Duration positive(ConfigView config, String key, Duration fallback, List<String> problems) {
        Duration d = read(problems, () -> config.getDuration(PREFIX + key, fallback), fallback);
        if (d.isZero() || d.isNegative()) {
            problems.add(PREFIX + key + ": must be positive, was: " + d);
            return fallback;
        }
        return d;
    }

    private static <T> T read(List<String> problems, java.util.function.Supplier<T> r, T fallback) {
        try {
            return r.get();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return fallback;
        }
    }

    // ------------------------------------------------------------------ shared parsing helpers for the specs

    static String text(JsonNode n, String field, String where, boolean required, List<String> problems) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || v.asText().isBlank()) {
            if (required) problems.add(where + ": field '" + field + "' is required");
            return null;
        }
        if (!v.isValueNode()) {
            problems.add(where + ": field '" + field + "' must be a single value");
            return null;
        }
        return v.asText().trim();
    }

    static Duration duration(JsonNode n, String field, String where, Duration fallback, List<String> problems) {
        String raw = text(n, field, where, false, problems);
        if (raw == null) return fallback;
        try {
            Duration d = ConfigView.parseDuration(field, raw);
            if (d.isNegative()) throw new IllegalArgumentException();
            return d;
        } catch (IllegalArgumentException e) {
            problems.add(where + ": field '" + field + "': not a duration: " + raw);
            return fallback;
        }
    }

    static double number(JsonNode n, String field, String where, double fallback, List<String> problems) {
        String raw = text(n, field, where, false, problems);
        if (raw == null) return fallback;
        try {
            return Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            problems.add(where + ": field '" + field + "': not a number: " + raw);
            return fallback;
        }
    }

    static Severity severity(JsonNode n, String where, List<String> problems) {
        String raw = text(n, "severity", where, false, problems);
        if (raw == null) return Severity.MEDIUM;
        try {
            return Severity.valueOf(raw.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add(where + ": field 'severity': one of " + java.util.Arrays.toString(Severity.values()) + ", was: " + raw);
            return Severity.MEDIUM;
        }
    }

    static void onlyFields(JsonNode n, String where, Set<String> known, List<String> problems) {
        if (!n.isObject()) {
            problems.add(where + ": must be a mapping");
            return;
        }
        n.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) problems.add(where + ": unknown field '" + f + "' (known: " + new TreeSet<>(known) + ")");
        });
    }

    @Override
    public String toString() {
        return "PrometheusConfig[url=" + url + ", auth=" + (bearerToken != null ? "bearer" : username != null ? "basic as " + username : "none")
                + ", caFile=" + caFile + ", queryTimeout=" + queryTimeout + ", rules=" + rules.size() + ", slos=" + slos.size()
                + ", anomalies=" + anomalies.size() + "]";
    }
}

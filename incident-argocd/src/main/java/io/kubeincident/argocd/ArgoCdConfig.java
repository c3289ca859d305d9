package io.kubeincident.argocd;

import io.kubeincident.api.ConfigView;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The {@code argocd.*} configuration. Built with {@link #from(ConfigView)}, which reads every key,
 * checks every value and throws one {@link ArgoCdConfigException} listing every problem at once.
 *
 * <p>Credentials: either a static token ({@code token}, {@code token_env}, {@code token_file}) or a
 * user name with a password ({@code password}, {@code password_env}, {@code password_file}) traded
 * for a session token. With none of them configured, the environment variables
 * {@code ARGOCD_AUTH_TOKEN}, or {@code ARGOCD_USERNAME} with {@code ARGOCD_PASSWORD}, are used.
 * {@link #toString()} never prints the password or token.
 *
 * @param serverUrl            {@code argocd.server_url}: base URL of the Argo CD API server
 * @param username             {@code argocd.username}, null with a token
 * @param password             resolved password, null with a token
 * @param token                resolved static token, null with a username
 * @param insecure             {@code argocd.insecure}: skip TLS verification (development only; logs a warning)
 * @param caFile               {@code argocd.ca_file}: PEM file with the CA(s) that signed the server certificate
 * @param trackingLabel        {@code argocd.tracking_label}, default {@code app.kubernetes.io/instance}
 * @param trackingMethod       {@code argocd.tracking_method}: {@code label}, {@code annotation} or
 *                             {@code annotation+label} (default: both)
 * @param appNamespace         {@code argocd.app_namespace}: namespace of the Application objects when not the
 *                             control plane's (apps in any namespace); null for the default
 * @param projects             {@code argocd.projects}: restrict the application list to these projects
 * @param selector             {@code argocd.selector}: label selector restricting the application list
 * @param connectTimeout       {@code argocd.connect_timeout}, default 5s
 * @param readTimeout          {@code argocd.read_timeout}, default 30s
 * @param requestTimeout       {@code argocd.request_timeout}: whole call, default 60s
 * @param maxRetries           {@code argocd.max_retries}: extra attempts where a retry can help (0..10), default 2
 * @param retryBackoff         {@code argocd.retry_backoff}: first back-off, doubled per attempt, default 500ms
 * @param waitTimeout          {@code argocd.wait_timeout}: how long an action waits for its operation and for
 *                             Healthy, default 5m
 * @param pollInterval         {@code argocd.poll_interval}: how often it looks while waiting, default 5s
 * @param refreshInterval      {@code argocd.refresh_interval}: how often the application list is polled for
 *                             detection and evidence, default 30s
 * @param allowDisableAutosync {@code argocd.allow_disable_autosync}: let {@code argocd-rollback} turn
 *                             auto-sync off first (restored by undo), default false
 * @param degradedThreshold    {@code argocd.degraded_threshold}: how long an app must be Degraded (or its sync
 *                             Failed) before it is reported, default 2m
 * @param cacheTtl             {@code argocd.cache_ttl}: how long a resource → application resolution is kept,
 *                             default 60s
 */
public record ArgoCdConfig(URI serverUrl, String username, String password, String token, boolean insecure,
                           Path caFile, String trackingLabel, TrackingMethod trackingMethod, String appNamespace,
                           List<String> projects, String selector, Duration connectTimeout, Duration readTimeout,
                           Duration requestTimeout, int maxRetries, Duration retryBackoff, Duration waitTimeout,
                           Duration pollInterval, Duration refreshInterval, boolean allowDisableAutosync,
                           Duration degradedThreshold, Duration cacheTtl) {

    public static final String PREFIX = "argocd.";
    public static final String DEFAULT_TRACKING_LABEL = "app.kubernetes.io/instance";
    public static final String TRACKING_ID_ANNOTATION = "argocd.argoproj.io/tracking-id";

    /** How Argo CD marks the resources it manages. */
    public enum TrackingMethod {
        LABEL("label"), ANNOTATION("annotation"), ANNOTATION_AND_LABEL("annotation+label");

        private final String id;

        TrackingMethod(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public boolean usesLabel() {
            return this != ANNOTATION;
        }

        public boolean usesAnnotation() {
            return this != LABEL;
        }

        static TrackingMethod parse(String raw) {
            for (TrackingMethod m : values()) {
                if (m.id.equalsIgnoreCase(raw.trim())) return m;
            }
            return null;
        }
    }

    /** Every key this record reads, without the prefix; anything else under {@code argocd.} is reported. */
    public static final Set<String> KEYS = Set.of("enabled", "server_url", "username", "password", "password_env",
            "password_file", "token", "token_env", "token_file", "insecure", "ca_file", "tracking_label",
            "tracking_method", "app_namespace", "projects", "selector", "connect_timeout", "read_timeout",
            "request_timeout", "max_retries", "retry_backoff", "wait_timeout", "poll_interval", "refresh_interval",
            "allow_disable_autosync", "degraded_threshold", "cache_ttl");

    /** {@link #KEYS} with their kinds, for the engine's check of the whole configuration. */
    public static final io.kubeincident.api.ConfigKeys CONFIG_KEYS = io.kubeincident.api.ConfigKeys.builder()
            .under("argocd", io.kubeincident.api.ConfigKeys.Type.TEXT, "server_url", "username", "password",
                    "password_env", "password_file", "token", "token_env", "token_file", "ca_file", "tracking_label",
                    "tracking_method", "app_namespace", "selector")
            .under("argocd", io.kubeincident.api.ConfigKeys.Type.BOOLEAN, "enabled", "insecure", "allow_disable_autosync")
            .under("argocd", io.kubeincident.api.ConfigKeys.Type.LIST, "projects")
            .under("argocd", io.kubeincident.api.ConfigKeys.Type.INTEGER, "max_retries")
            .under("argocd", io.kubeincident.api.ConfigKeys.Type.DURATION, "connect_timeout", "read_timeout",
                    "request_timeout", "retry_backoff", "wait_timeout", "poll_interval", "refresh_interval",
                    "degraded_threshold", "cache_ttl")
            // the switches of the two actions (off until true, like every action that is not built in)
            .under("remediation", io.kubeincident.api.ConfigKeys.Type.BOOLEAN, "enable_argocd_rollback", "enable_argocd_sync")
            .build();

    // A Kubernetes label key: optional DNS prefix, then a name of up to 63 characters.
    private static final Pattern LABEL_KEY =
            Pattern.compile("([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    public ArgoCdConfig {
        projects = projects == null ? List.of() : List.copyOf(projects);
    }

    /** True when {@code argocd.server_url} is set and {@code argocd.enabled} is not false. */
    public static boolean enabled(ConfigView config) {
        boolean hasUrl = config.get(PREFIX + "server_url").map(String::trim).filter(s -> !s.isEmpty()).isPresent();
        try {
            return config.getBoolean(PREFIX + "enabled", hasUrl) && hasUrl;
        } catch (IllegalArgumentException e) {
            // A bad switch value is reported by from(); treat as on so that the report is seen.
            return hasUrl;
        }
    }

    public static ArgoCdConfig from(ConfigView config) {
        return from(config, System::getenv);
    }

    /** Reads and checks {@code argocd.*}; {@code env} resolves environment variables (injectable for tests). */
    public static ArgoCdConfig from(ConfigView config, Function<String, String> env) {
        List<String> problems = new ArrayList<>();
        Reader r = new Reader(config, problems);

        Set<String> unknown = new TreeSet<>();
        for (String key : config.keys()) {
            if (key.startsWith(PREFIX) && !KEYS.contains(key.substring(PREFIX.length()))) unknown.add(key);
        }
        for (String key : unknown) problems.add(key + ": unknown key (known: " + new TreeSet<>(KEYS) + ")");

        URI serverUrl = null;
        String rawUrl = r.string("server_url", null);
        if (rawUrl == null) {
            problems.add(PREFIX + "server_url: required (e.g. https://argocd.example.com)");
        } else {
            try {
                URI u = URI.create(rawUrl.endsWith("/") ? rawUrl.substring(0, rawUrl.length() - 1) : rawUrl);
                if (!"https".equalsIgnoreCase(u.getScheme()) && !"http".equalsIgnoreCase(u.getScheme())) {
                    problems.add(PREFIX + "server_url: must start with https:// or http://, was: " + rawUrl);
                } else if (u.getHost() == null || u.getHost().isBlank()) {
                    problems.add(PREFIX + "server_url: has no host: " + rawUrl);
                } else if (u.getQuery() != null || u.getFragment() != null) {
                    problems.add(PREFIX + "server_url: must not carry a query or fragment: " + rawUrl);
                } else {
                    serverUrl = u;
                }
            } catch (IllegalArgumentException e) {
                problems.add(PREFIX + "server_url: not a URL: " + rawUrl);
            }
        }

        int before = problems.size();
        String token = r.secret("token", "token_env", "token_file", env);
        String username = r.string("username", null);
        String password = r.secret("password", "password_env", "password_file", env);
        boolean secretProblem = problems.size() > before;
        boolean anyConfigured = token != null || username != null || password != null
                || r.present("token_env") || r.present("token_file")
                || r.present("password_env") || r.present("password_file");
        if (!anyConfigured) {
            token = blankToNull(env.apply("ARGOCD_AUTH_TOKEN"));
            if (token == null) {
                username = blankToNull(env.apply("ARGOCD_USERNAME"));
                password = blankToNull(env.apply("ARGOCD_PASSWORD"));
            }
        }
        if (token != null && (username != null || password != null)) {
            problems.add(PREFIX + "token and " + PREFIX + "username/password are both set: configure one way to authenticate");
        } else if (token == null) {
            if (username == null && password == null) {
                if (!secretProblem) {
                    problems.add("argocd: no credentials: set " + PREFIX + "token (or token_env / token_file), or "
                            + PREFIX + "username with " + PREFIX + "password (or password_env / password_file)");
                }
            } else if (username == null) {
                problems.add(PREFIX + "username: required with a password");
            } else if (password == null && !secretProblem) {
                problems.add(PREFIX + "password: required with " + PREFIX + "username (or password_env / password_file)");
            }
        }

        boolean insecure = r.bool("insecure", false);
        Path caFile = null;
        String rawCa = r.string("ca_file", null);
        if (rawCa != null) {
            Path p = Path.of(rawCa);
            if (!Files.isReadable(p)) {
                problems.add(PREFIX + "ca_file: cannot read " + rawCa);
            } else {
                try {
                    String pem = Files.readString(p, StandardCharsets.US_ASCII);
                    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
                        problems.add(PREFIX + "ca_file: " + rawCa + " holds no PEM certificate");
                    } else {
                        caFile = p;
                    }
                } catch (IOException | RuntimeException e) {
                    problems.add(PREFIX + "ca_file: cannot read " + rawCa + ": " + e.getMessage());
                }
            }
            if (insecure) {
                problems.add(PREFIX + "insecure and " + PREFIX + "ca_file are both set: a CA is pointless without verification");
            }
        }
        if (serverUrl != null && insecure && "http".equalsIgnoreCase(serverUrl.getScheme())) {
            problems.add(PREFIX + "insecure: only applies to https:// server URLs");
        }

        String trackingLabel = r.string("tracking_label", DEFAULT_TRACKING_LABEL);
        if (!LABEL_KEY.matcher(trackingLabel).matches() || trackingLabel.length() > 317) {
            problems.add(PREFIX + "tracking_label: not a valid label key: " + trackingLabel);
        }
        TrackingMethod method = TrackingMethod.ANNOTATION_AND_LABEL;
        String rawMethod = r.string("tracking_method", null);
        if (rawMethod != null) {
            method = TrackingMethod.parse(rawMethod);
            if (method == null) {
                problems.add(PREFIX + "tracking_method: must be label, annotation or annotation+label, was: " + rawMethod);
                method = TrackingMethod.ANNOTATION_AND_LABEL;
            }
        }

        String appNamespace = r.string("app_namespace", null);
        List<String> projects = r.list("projects");
        String selector = r.string("selector", null);

        Duration connect = r.positive("connect_timeout", Duration.ofSeconds(5));
        Duration read = r.positive("read_timeout", Duration.ofSeconds(30));
        Duration request = r.positive("request_timeout", Duration.ofSeconds(60));
        int maxRetries = r.integer("max_retries", 2);
        if (maxRetries < 0 || maxRetries > 10) {
            problems.add(PREFIX + "max_retries: must be within 0..10, was: " + maxRetries);
        }
        Duration backoff = r.positive("retry_backoff", Duration.ofMillis(500));
        Duration wait = r.positive("wait_timeout", Duration.ofMinutes(5));
        Duration poll = r.positive("poll_interval", Duration.ofSeconds(5));
        if (poll.compareTo(wait) > 0) {
            problems.add(PREFIX + "poll_interval (" + ConfigView.formatDuration(poll) + ") must not exceed " + PREFIX + "wait_timeout (" + ConfigView.formatDuration(wait) + ")");
        }
        Duration refresh = r.positive("refresh_interval", Duration.ofSeconds(30));
        boolean allowDisable = r.bool("allow_disable_autosync", false);
        Duration threshold = r.duration("degraded_threshold", Duration.ofMinutes(2));
        if (threshold.isNegative()) {
            problems.add(PREFIX + "degraded_threshold: must not be negative, was: " + ConfigView.formatDuration(threshold));
        }
        Duration cacheTtl = r.duration("cache_ttl", Duration.ofSeconds(60));
        if (cacheTtl.isNegative()) {
            problems.add(PREFIX + "cache_ttl: must not be negative, was: " + ConfigView.formatDuration(cacheTtl));
        }
        r.bool("enabled", true);

        if (!problems.isEmpty()) throw new ArgoCdConfigException(problems);
        return new ArgoCdConfig(serverUrl, username, password, token, insecure, caFile, trackingLabel, method,
                appNamespace, projects, selector, connect, read, request, maxRetries, backoff, wait, poll, refresh,
                allowDisable, threshold, cacheTtl);
    }

    /** True when a user name and password are traded for session tokens (else a static token is used). */
    public boolean sessionAuth() {
        return token == null;
    }

    /** A copy with other values for the durations tests shorten; everything else kept. */
    public ArgoCdConfig withTimings(Duration retryBackoff, Duration waitTimeout, Duration pollInterval) {
        return new ArgoCdConfig(serverUrl, username, password, token, insecure, caFile, trackingLabel, trackingMethod,
                appNamespace, projects, selector, connectTimeout, readTimeout, requestTimeout, maxRetries, retryBackoff,
                waitTimeout, pollInterval, refreshInterval, allowDisableAutosync, degradedThreshold, cacheTtl);
    }

    @Override
    public String toString() {
        return "ArgoCdConfig[serverUrl=" + serverUrl + ", auth=" + (sessionAuth() ? "session as " + username : "token")
                + ", insecure=" + insecure + ", caFile=" + caFile + ", tracking=" + trackingMethod.id() + " "
                + trackingLabel + ", appNamespace=" + appNamespace + ", projects=" + projects + ", selector=" + selector
                + ", allowDisableAutosync=" + allowDisableAutosync + ", degradedThreshold=" + degradedThreshold + "]";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** Typed reads that record a problem instead of throwing, so that every problem is listed. */
    private static final class Reader {
        private final ConfigView config;
        private final List<String> problems;

        Reader(ConfigView config, List<String> problems) {
            this.config = config;
            this.problems = problems;
        }

        boolean present(String key) {
            return config.get(PREFIX + key).map(String::trim).filter(s -> !s.isEmpty()).isPresent();
        }

        String string(String key, String fallback) {
            return config.getString(PREFIX + key, fallback);
        }

        List<String> list(String key) {
            return config.getList(PREFIX + key, List.of());
        }

        boolean bool(String key, boolean fallback) {
            try {
                return config.getBoolean(PREFIX + key, fallback);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
                return fallback;
            }
        }

        int integer(String key, int fallback) {
            try {
                return config.getInt(PREFIX + key, fallback);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
                return fallback;
            }
        }

        Duration duration(String key, Duration fallback) {
            try {
                return config.getDuration(PREFIX + key, fallback);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
                return fallback;
            }
        }

        Duration positive(String key, Duration fallback) {
            Duration d = duration(key, fallback);
            if (d.isZero() || d.isNegative()) {
                problems.add(PREFIX + key + ": must be positive, was: " + ConfigView.formatDuration(d));
                return fallback;
            }
            return d;
        }

        /** A secret given inline, through an environment variable or in a file; at most one of the three. */
        String secret(String inline, String envKey, String fileKey, Function<String, String> env) {
            String value = blankToNull(config.get(PREFIX + inline).orElse(null));
            String envName = string(envKey, null);
            String file = string(fileKey, null);
            int given = (value != null ? 1 : 0) + (envName != null ? 1 : 0) + (file != null ? 1 : 0);
            if (given > 1) {
                problems.add(PREFIX + inline + ", " + PREFIX + envKey + " and " + PREFIX + fileKey
                        + ": set only one of them");
                return value;
            }
            if (envName != null) {
                String v = blankToNull(env.apply(envName));
                if (v == null) problems.add(PREFIX + envKey + ": environment variable " + envName + " is not set");
                return v;
            }
            if (file != null) {
                try {
                    String v = blankToNull(Files.readString(Path.of(file), StandardCharsets.UTF_8));
                    if (v == null) problems.add(PREFIX + fileKey + ": " + file + " is empty");
                    return v;
                } catch (IOException | RuntimeException e) {
                    problems.add(PREFIX + fileKey + ": cannot read " + file);
                    return null;
                }
            }
            return value;
        }
    }
}

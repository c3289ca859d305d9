package io.kubeincident.responder.config;

import io.kubeincident.api.ConfigKeys;
import io.kubeincident.api.ConfigView;
import io.kubeincident.core.config.ConfigException;
import io.kubeincident.core.config.ConfigLoader;
import io.kubeincident.core.config.EngineConfig;
import io.kubeincident.core.config.MapConfig;
import io.kubeincident.responder.UserError;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The responder's configuration: one YAML file (the seed's keys), a {@code prompts.yaml} beside it or
 * named by {@code --prompts}, then {@code KUBE_INCIDENT_*} environment variables, then command-line
 * overrides, in that order of precedence (last wins).
 *
 * <p>Keys the responder itself reads, besides the engine's and the providers':
 * <ul>
 *   <li>{@code logging.level}: TRACE, DEBUG, INFO (default), WARN, ERROR</li>
 *   <li>{@code alerting.enabled} (default true when a URL is set), {@code alerting.webhook_url}: http(s) URL
 *       that receives a JSON message per incident, approval request and escalation</li>
 *   <li>{@code http.port} (8080): health, readiness, metrics and the approval API</li>
 *   <li>{@code leader_election.lease_duration} (15s), {@code .renew_deadline} (10s), {@code .retry_period} (2s)</li>
 *   <li>{@code prometheus.*}: checked here too, since the Alertmanager intake reads its label and alert mappings</li>
 * </ul>
 *
 * @param values      the merged keys
 * @param file        the YAML file, or {@code null}
 * @param promptsFile the prompts file, or {@code null}
 */
public record ResponderConfig(MapConfig values, Path file, Path promptsFile) {
    /** The keys the responder reads itself; the engine and the providers declare theirs. */
    public static final ConfigKeys KEYS = ConfigKeys.builder()
            .text("logging.level")
            .integer("http.port")
            .duration("leader_election.lease_duration", "leader_election.renew_deadline", "leader_election.retry_period")
            .build();

    public static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    /**
     * Reads and merges; throws {@link UserError} (exit 2) listing every problem of the file.
     *
     * @param file      YAML file or {@code null}
     * @param prompts   prompts file or {@code null} ({@code prompts.yaml} next to {@code file} is used when present)
     * @param env       environment
     * @param overrides command-line overrides (dotted keys)
     */
    public static ResponderConfig load(Path file, Path prompts, Map<String, String> env, Map<String, String> overrides) {
        MapConfig base = new MapConfig(Map.of());
        if (file != null) {
            if (!Files.isRegularFile(file)) throw UserError.usage("configuration file " + file + " does not exist");
            try {
                base = ConfigLoader.fromYaml(file);
            } catch (ConfigException e) {
                throw UserError.usage(e.getMessage());
            }
        }
        Path promptsFile = prompts;
        if (promptsFile != null && !Files.isRegularFile(promptsFile)) {
            throw UserError.usage("prompts file " + promptsFile + " does not exist");
        }
        if (promptsFile == null && file != null) {
            Path sibling = file.toAbsolutePath().resolveSibling("prompts.yaml");
            if (Files.isRegularFile(sibling)) promptsFile = sibling;
        }
        Map<String, String> merged = new LinkedHashMap<>(base.asMap());
        if (promptsFile != null && !merged.containsKey("llm.prompts_file")) {
            merged.put("llm.prompts_file", promptsFile.toString());
        }
        merged.putAll(ConfigLoader.fromEnvironment(env));
        merged.putAll(overrides);
        return new ResponderConfig(new MapConfig(merged), file, promptsFile);
    }

    /** Every problem of the engine's keys and the responder's own, or an empty list. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        try {
            EngineConfig.from(values);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        String level = values.getString("logging.level", "INFO").toUpperCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(level)) {
            problems.add("logging.level: must be one of TRACE, DEBUG, INFO, WARN, ERROR, was: "
                    + values.getString("logging.level", ""));
        }
        values.get("alerting.webhook_url").map(String::trim).filter(s -> !s.isEmpty()).ifPresent(url -> {
            try {
                URI u = URI.create(url);
                if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                    problems.add("alerting.webhook_url: must be an http(s) URL, was: " + url);
                }
            } catch (IllegalArgumentException e) {
                problems.add("alerting.webhook_url: not a URL: " + url);
            }
        });
        try {
            // the Alertmanager intake reads prometheus.labels.* and prometheus.alerts.* even without prometheus.url
            io.kubeincident.prometheus.PrometheusConfig.from(values);
        } catch (io.kubeincident.prometheus.PrometheusConfigException e) {
            problems.addAll(e.problems());
        }
        check(problems, () -> values.getBoolean("alerting.enabled", true), true);
        int port = check(problems, () -> values.getInt("http.port", 8080), 8080);
        if (port < 0 || port > 65535) problems.add("http.port: must be within 0..65535, was " + port);
        var lease = check(problems, () -> values.getDuration("leader_election.lease_duration", java.time.Duration.ofSeconds(15)), null);
        var renew = check(problems, () -> values.getDuration("leader_election.renew_deadline", java.time.Duration.ofSeconds(10)), null);
        var retry = check(problems, () -> values.getDuration("leader_election.retry_period", java.time.Duration.ofSeconds(2)), null);
        if (lease != null && renew != null && retry != null && !(lease.compareTo(renew) > 0 && renew.compareTo(retry) > 0)) {
            problems.add("leader_election: lease_duration (" + ConfigView.formatDuration(lease) + ") > renew_deadline ("
                    + ConfigView.formatDuration(renew) + ") > retry_period (" + ConfigView.formatDuration(retry) + ") must hold");
        }
        return problems;
    }

    /** Throws {@link UserError} (exit 2) listing every problem, if any. */
    public ResponderConfig validated() {
        List<String> problems = problems();
        if (!problems.isEmpty()) throw UserError.usage(new ConfigException(problems).getMessage());
        return this;
    }

    public ConfigView view() {
        return values;
    }

    public String logLevel() {
        return values.getString("logging.level", "INFO").toUpperCase(Locale.ROOT);
    }

    public int httpPort() {
        return values.getInt("http.port", 8080);
    }

    /** A copy with more overrides on top. */
    public ResponderConfig with(Map<String, String> overrides) {
        return new ResponderConfig(values.with(overrides), file, promptsFile);
    }

    private static <T> T check(List<String> problems, java.util.function.Supplier<T> read, T fallback) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return fallback;
        }
    }
}

package io.kubeincident.rules;

import io.kubeincident.api.ConfigView;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Configuration of the rules analyzer, read from the {@code rules.*} keys.
 *
 * <table>
 *   <caption>keys</caption>
 *   <tr><td>{@code rules.file}</td><td>path of a user rule file (YAML) that extends/overrides the bundled rules</td></tr>
 *   <tr><td>{@code rules.inline}</td><td>rules as YAML text (e.g. from a ConfigMap); applied after the file</td></tr>
 *   <tr><td>{@code rules.bundled}</td><td>start from the bundled rules (default true)</td></tr>
 *   <tr><td>{@code rules.recent_rollout_window}</td><td>a rollout this long before the incident counts as recent
 *       when the evidence does not say (default 30m)</td></tr>
 *   <tr><td>{@code rules.max_memory_limit}</td><td>cap for raised memory limits (default 4Gi)</td></tr>
 *   <tr><td>{@code rules.history.max_failures}</td><td>unhelpful earlier runs of an action on a workload
 *       after which the rules stop proposing it (default 2)</td></tr>
 * </table>
 *
 * @param file                user rule file, or null
 * @param inline              inline rule YAML, or null
 * @param bundled             whether the bundled rules are loaded
 * @param recentRolloutWindow how recent a rollout must be to count as "shortly before"
 * @param maxMemoryLimitBytes cap for raised memory limits, in bytes
 * @param maxFailures         history threshold, at least 1
 */
public record RulesConfig(Path file, String inline, boolean bundled, Duration recentRolloutWindow,
                          long maxMemoryLimitBytes, int maxFailures) {

    public static final String PREFIX = "rules";
    public static final String FILE = "rules.file";
    public static final String INLINE = "rules.inline";
    public static final String BUNDLED = "rules.bundled";
    public static final String RECENT_ROLLOUT_WINDOW = "rules.recent_rollout_window";
    public static final String MAX_MEMORY_LIMIT = "rules.max_memory_limit";
    public static final String MAX_FAILURES = "rules.history.max_failures";

    private static final Set<String> KEYS = Set.of(FILE, INLINE, BUNDLED, RECENT_ROLLOUT_WINDOW, MAX_MEMORY_LIMIT,
            MAX_FAILURES);

    /** The keys {@link #from} reads, with their kinds. */
    public static final io.kubeincident.api.ConfigKeys CONFIG_KEYS = io.kubeincident.api.ConfigKeys.builder()
            .text(FILE, INLINE, MAX_MEMORY_LIMIT).bool(BUNDLED).duration(RECENT_ROLLOUT_WINDOW).integer(MAX_FAILURES)
            .build();

    public RulesConfig {
        if (inline != null && inline.isBlank()) inline = null;
        if (recentRolloutWindow == null) recentRolloutWindow = Duration.ofMinutes(30);
        if (recentRolloutWindow.isNegative()) throw new IllegalArgumentException("recentRolloutWindow must not be negative");
        if (maxMemoryLimitBytes <= 0) throw new IllegalArgumentException("maxMemoryLimitBytes must be positive");
        if (maxFailures < 1) throw new IllegalArgumentException("maxFailures must be at least 1");
    }

    public static RulesConfig defaults() {
        return new RulesConfig(null, null, true, Duration.ofMinutes(30), 4 * Quantities.GI, 2);
    }

    /** Reads the {@code rules.*} keys; throws {@link IllegalArgumentException} listing every bad key at once. */
    public static RulesConfig from(ConfigView config) {
        List<String> problems = new ArrayList<>();
        RulesConfig d = defaults();
        for (String k : config.keys()) {
            if (k.startsWith(PREFIX + ".") && !KEYS.contains(k)) {
                problems.add(k + ": unknown key (known: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
            }
        }
        Path file = null;
        String f = config.getString(FILE, null);
        if (f != null) {
            try {
                file = Path.of(f);
            } catch (RuntimeException e) {
                problems.add(FILE + ": not a path: " + f);
            }
        }
        boolean bundled = d.bundled();
        Duration window = d.recentRolloutWindow();
        long maxMem = d.maxMemoryLimitBytes();
        int maxFailures = d.maxFailures();
        try {
            bundled = config.getBoolean(BUNDLED, bundled);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        try {
            window = config.getDuration(RECENT_ROLLOUT_WINDOW, window);
            if (window.isNegative()) problems.add(RECENT_ROLLOUT_WINDOW + ": must not be negative");
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        String mem = config.getString(MAX_MEMORY_LIMIT, null);
        if (mem != null) {
            try {
                maxMem = Quantities.bytes(mem);
                if (maxMem <= 0) problems.add(MAX_MEMORY_LIMIT + ": must be positive, was: " + mem);
            } catch (IllegalArgumentException e) {
                problems.add(MAX_MEMORY_LIMIT + ": not a memory quantity (like 4Gi): " + mem);
            }
        }
        try {
            maxFailures = config.getInt(MAX_FAILURES, maxFailures);
            if (maxFailures < 1) problems.add(MAX_FAILURES + ": must be at least 1, was: " + maxFailures);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        // Raw, not trimmed: trimming the first line's indentation would break the YAML's structure.
        String inline = config.get(INLINE).filter(s -> !s.isBlank()).orElse(null);
        if (!bundled && f == null && inline == null) {
            problems.add(BUNDLED + ": false needs " + FILE + " or " + INLINE + ", else there are no rules");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid rules configuration: " + String.join("; ", problems));
        }
        return new RulesConfig(file, inline, bundled, window, maxMem, maxFailures);
    }

    /** The knowledge base this configuration describes; throws {@link RuleValidationException} listing every problem. */
    public KnowledgeBase loadKnowledgeBase() {
        KnowledgeBase.Builder b = KnowledgeBase.builder().bundled(bundled);
        if (file != null) b.file(file);
        if (inline != null) b.yaml(INLINE, inline);
        return b.build();
    }
}

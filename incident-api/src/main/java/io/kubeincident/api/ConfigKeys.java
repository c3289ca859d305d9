package io.kubeincident.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration keys a part of the system reads, each with the kind of value it takes. The engine
 * checks the whole configuration once against the union of every part's declaration: a key nobody
 * declares is an error naming the nearest known key, and a value of the wrong kind is an error, so that
 * a typo ({@code remediation.mdoe}) or a wrong value ({@code enable_pod_restart: maybe}) never passes
 * silently.
 *
 * <p>A key is a dotted path. In a declaration, a segment {@code *} stands for any one segment
 * ({@code safety.change_freeze.*.cron}), a segment ending in {@code *} for any segment with that start
 * ({@code remediation.enable_*}) and a last segment {@code **} for any rest ({@code llm.prompts.**}).
 * Immutable and thread-safe.
 */
public final class ConfigKeys {

    /** The kind of value a key takes; blank values mean "not set" and pass every kind. */
    public enum Type {
        /** Any text. */
        TEXT,
        /** {@code true/false}, {@code yes/no}, {@code on/off}. */
        BOOLEAN,
        /** A whole number. */
        INTEGER,
        /** A decimal number. */
        NUMBER,
        /** A duration as {@link ConfigView#getDuration} reads it ({@code 30}, {@code 500ms}, {@code 5m}, {@code PT1H}). */
        DURATION,
        /** A comma-separated list or a YAML sequence. */
        LIST
    }

    private static final ConfigKeys NONE = new ConfigKeys(Map.of());

    private final Map<String, Type> keys;

    private ConfigKeys(Map<String, Type> keys) {
        this.keys = Map.copyOf(keys);
    }

    public static ConfigKeys none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The declared keys (and patterns) with their kinds. */
    public Map<String, Type> keys() {
        return keys;
    }

    /** This declaration and {@code other}'s; where both declare a key, this one's kind wins. */
    public ConfigKeys plus(ConfigKeys other) {
        Map<String, Type> m = new LinkedHashMap<>(other.keys);
        m.putAll(keys);
        return new ConfigKeys(m);
    }

    /** The union of several declarations. */
    public static ConfigKeys union(Collection<ConfigKeys> all) {
        ConfigKeys out = NONE;
        for (ConfigKeys k : all) out = out.plus(k);
        return out;
    }

    /** The kind of {@code key}, or empty when no declaration covers it. */
    public Optional<Type> typeOf(String key) {
        Type exact = keys.get(key);
        if (exact != null) return Optional.of(exact);
        for (Map.Entry<String, Type> e : keys.entrySet()) {
            if (e.getKey().contains("*") && matches(e.getKey().split("\\."), key.split("\\.", -1))) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    /**
     * Every problem of {@code config} against this declaration: unknown keys, each with the nearest known
     * key, and values of the wrong kind. Empty when the configuration is clean.
     */
    public List<String> check(ConfigView config) {
        List<String> problems = new ArrayList<>();
        for (String key : new java.util.TreeSet<>(config.keys())) {
            Optional<Type> type = typeOf(key);
            if (type.isEmpty()) {
                problems.add(key + ": unknown key " + hint(key));
                continue;
            }
            String value = config.get(key).orElse("");
            if (value.isBlank()) continue;
            try {
                switch (type.get()) {
                    case BOOLEAN -> config.getBoolean(key, false);
                    case INTEGER -> integer(key, value);
                    case NUMBER -> config.getDouble(key, 0);
                    case DURATION -> config.getDuration(key, null);
                    case TEXT, LIST -> {
                    }
                }
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }

    private String hint(String key) {
        String section = section(key);
        if (keys.keySet().stream().noneMatch(k -> section(k).equals(section))) {
            return "(nothing reads " + section + ".*; known sections: "
                    + String.join(", ", new java.util.TreeSet<>(keys.keySet().stream().map(ConfigKeys::section).toList())) + ")";
        }
        return nearest(key).map(n -> "(did you mean " + n + "?)").orElse("");
    }

    private static String section(String key) {
        int dot = key.indexOf('.');
        return dot < 0 ? key : key.substring(0, dot);
    }

    /**
     * The declared key closest to {@code key} in edit distance, from the same section ({@code llm},
     * {@code safety}, ...) when that has keys; patterns with {@code *} skipped.
     */
    public Optional<String> nearest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        boolean sectionKnown = keys.keySet().stream().anyMatch(k -> !k.contains("*") && section(k).equals(section(key)));
        for (String k : new java.util.TreeSet<>(keys.keySet())) {
            if (k.contains("*") || sectionKnown && !section(k).equals(section(key))) continue;
            int d = distance(key, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    private static void integer(String key, String value) {
        try {
            Long.parseLong(value.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not an integer: " + value.trim());
        }
    }

    private static boolean matches(String[] pattern, String[] key) {
        for (int i = 0; i < pattern.length; i++) {
            if (pattern[i].equals("**") && i == pattern.length - 1) return key.length > i;
            if (i >= key.length) return false;
            boolean prefix = pattern[i].length() > 1 && pattern[i].endsWith("*")
                    && key[i].startsWith(pattern[i].substring(0, pattern[i].length() - 1));
            if (!pattern[i].equals("*") && !prefix && !pattern[i].equals(key[i])) return false;
            if (key[i].isEmpty()) return false;
        }
        return key.length == pattern.length;
    }

    // Levenshtein distance; keys are short, so the quadratic table is fine.
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigKeys other && other.keys.equals(keys);
    }

    @Override
    public int hashCode() {
        return keys.hashCode();
    }

    @Override
    public String toString() {
        return "ConfigKeys" + new java.util.TreeSet<>(keys.keySet());
    }

    /** Collects declarations; a key declared twice keeps its last kind. */
    public static final class Builder {
        private final Map<String, Type> keys = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder key(String key, Type type) {
            if (key == null || key.isBlank() || key.startsWith(".") || key.endsWith(".")) {
                throw new IllegalArgumentException("not a configuration key: '" + key + "'");
            }
            keys.put(key.trim(), type);
            return this;
        }

        public Builder text(String... keys) {
            return all(Type.TEXT, keys);
        }

        public Builder bool(String... keys) {
            return all(Type.BOOLEAN, keys);
        }

        public Builder integer(String... keys) {
            return all(Type.INTEGER, keys);
        }

        public Builder number(String... keys) {
            return all(Type.NUMBER, keys);
        }

        public Builder duration(String... keys) {
            return all(Type.DURATION, keys);
        }

        public Builder list(String... keys) {
            return all(Type.LIST, keys);
        }

        /** Declares {@code keys} under {@code prefix} ({@code prefix + "." + key}). */
        public Builder under(String prefix, Type type, String... keys) {
            for (String k : keys) key(prefix + "." + k, type);
            return this;
        }

        public ConfigKeys build() {
            return new ConfigKeys(keys);
        }

        private Builder all(Type type, String... ks) {
            for (String k : ks) key(k, type);
            return this;
        }
    }
}

package io.kubeincident.api;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A read-only view over dotted configuration keys ({@code monitoring.scan_interval},
 * {@code llm.model}, ...). Values are strings; the typed getters parse them and throw
 * {@link IllegalArgumentException} naming the key on a bad value. Lists are comma-separated or,
 * from YAML, sequences joined by commas. Implementations are immutable and thread-safe.
 */
public interface ConfigView {

    Optional<String> get(String key);

    /** Every key present, for validation and prefix scans. */
    Set<String> keys();

    default String getString(String key, String fallback) {
        return get(key).map(String::trim).filter(s -> !s.isEmpty()).orElse(fallback);
    }

    default int getInt(String key, int fallback) {
        Optional<String> v = get(key).map(String::trim).filter(s -> !s.isEmpty());
        if (v.isEmpty()) return fallback;
        try {
            return Integer.parseInt(v.get());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not an integer: " + v.get());
        }
    }

    default double getDouble(String key, double fallback) {
        Optional<String> v = get(key).map(String::trim).filter(s -> !s.isEmpty());
        if (v.isEmpty()) return fallback;
        try {
            return Double.parseDouble(v.get());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not a number: " + v.get());
        }
    }

    default boolean getBoolean(String key, boolean fallback) {
        Optional<String> v = get(key).map(String::trim).filter(s -> !s.isEmpty());
        if (v.isEmpty()) return fallback;
        String s = v.get().toLowerCase();
        if (s.equals("true") || s.equals("yes") || s.equals("on")) return true;
        if (s.equals("false") || s.equals("no") || s.equals("off")) return false;
        throw new IllegalArgumentException(key + ": not a boolean: " + v.get());
    }

    /**
     * A duration: a plain number is seconds ({@code scan_interval: 30}); {@code 500ms}, {@code 30s},
     * {@code 5m}, {@code 2h}, {@code 1d} and ISO-8601 ({@code PT5M}) are accepted too.
     */
    default Duration getDuration(String key, Duration fallback) {
        Optional<String> v = get(key).map(String::trim).filter(s -> !s.isEmpty());
        if (v.isEmpty()) return fallback;
        return parseDuration(key, v.get());
    }

    default List<String> getList(String key, List<String> fallback) {
        Optional<String> v = get(key);
        if (v.isEmpty()) return fallback;
        return Arrays.stream(v.get().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static Duration parseDuration(String key, String raw) {
        String s = raw.trim().toLowerCase();
        try {
            if (s.startsWith("pt") || s.startsWith("p")) return Duration.parse(raw.trim().toUpperCase());
            if (s.endsWith("ms")) return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
            char unit = s.charAt(s.length() - 1);
            if (Character.isDigit(unit)) return Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
            long n = Long.parseLong(s.substring(0, s.length() - 1).trim());
            return switch (unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException(key + ": not a duration: " + raw);
            };
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith(key)) throw e;
            throw new IllegalArgumentException(key + ": not a duration: " + raw);
        }
    }

    /**
     * A duration the way a user writes it in the configuration ({@code -5s}, {@code 500ms}, {@code 1h30m}),
     * for messages; {@code null} prints as {@code null}.
     */
    static String formatDuration(Duration d) {
        if (d == null) return "null";
        if (d.isZero()) return "0s";
        StringBuilder sb = new StringBuilder(d.isNegative() ? "-" : "");
        Duration a = d.abs();
        long days = a.toDays(), hours = a.toHoursPart(), minutes = a.toMinutesPart(), seconds = a.toSecondsPart();
        long millis = a.toMillisPart();
        if (days > 0) sb.append(days).append('d');
        if (hours > 0) sb.append(hours).append('h');
        if (minutes > 0) sb.append(minutes).append('m');
        if (seconds > 0) sb.append(seconds).append('s');
        if (millis > 0) sb.append(millis).append("ms");
        if (sb.length() == (d.isNegative() ? 1 : 0)) sb.append(a.toNanos()).append("ns");
        return sb.toString();
    }

    /** A view of the keys under {@code prefix + "."}, with the prefix removed. */
    default ConfigView under(String prefix) {
        ConfigView parent = this;
        String p = prefix.endsWith(".") ? prefix : prefix + ".";
        return new ConfigView() {
            public Optional<String> get(String key) {
                return parent.get(p + key);
            }

            public Set<String> keys() {
                return parent.keys().stream().filter(k -> k.startsWith(p)).map(k -> k.substring(p.length()))
                        .collect(java.util.stream.Collectors.toUnmodifiableSet());
            }
        };
    }

    static ConfigView empty() {
        return of(java.util.Map.of());
    }

    static ConfigView of(java.util.Map<String, String> values) {
        java.util.Map<String, String> copy = java.util.Map.copyOf(values);
        return new ConfigView() {
            public Optional<String> get(String key) {
                return Optional.ofNullable(copy.get(key));
            }

            public Set<String> keys() {
                return copy.keySet();
            }
        };
    }
}

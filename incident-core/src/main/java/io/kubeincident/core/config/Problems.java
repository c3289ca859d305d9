package io.kubeincident.core.config;

import io.kubeincident.api.ConfigView;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Collects configuration problems while reading typed values, so that validation reports every problem
 * at once instead of the first.
 */
public final class Problems {
    private final List<String> problems = new ArrayList<>();

    public <T> T read(Supplier<T> reader, T fallback) {
        try {
            return reader.get();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return fallback;
        }
    }

    public double probability(ConfigView config, String key, double fallback) {
        double v = read(() -> config.getDouble(key, fallback), fallback);
        if (v < 0 || v > 1) {
            problems.add(key + ": must be within [0, 1], was " + v);
            return fallback;
        }
        return v;
    }

    public int positiveInt(ConfigView config, String key, int fallback) {
        int v = read(() -> config.getInt(key, fallback), fallback);
        if (v <= 0) {
            problems.add(key + ": must be > 0, was " + v);
            return fallback;
        }
        return v;
    }

    public Duration positiveDuration(ConfigView config, String key, Duration fallback) {
        Duration v = read(() -> config.getDuration(key, fallback), fallback);
        if (v.isNegative() || v.isZero()) {
            problems.add(key + ": must be > 0, was " + ConfigView.formatDuration(v));
            return fallback;
        }
        return v;
    }

    public void add(String problem) {
        problems.add(problem);
    }

    public List<String> list() {
        return List.copyOf(problems);
    }

    public void throwIfAny() {
        if (!problems.isEmpty()) throw new ConfigException(problems);
    }
}

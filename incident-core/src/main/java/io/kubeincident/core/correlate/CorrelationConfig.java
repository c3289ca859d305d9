package io.kubeincident.core.correlate;

import io.kubeincident.api.ConfigView;
import io.kubeincident.core.config.Problems;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How findings become incidents over time.
 *
 * @param quietPeriod     {@code correlation.quiet_period}: an incident whose findings all cleared is
 *                        resolved after this long without them (default 5m)
 * @param reopenWindow    {@code correlation.reopen_window}: findings that come back this soon after the
 *                        resolution reopen the same incident instead of opening a new one (default 30m)
 * @param maxResources    {@code correlation.max_resources}: objects listed in one incident; a larger storm
 *                        keeps counting findings but lists the first ones (default 200)
 */
public record CorrelationConfig(Duration quietPeriod, Duration reopenWindow, int maxResources) {

    public CorrelationConfig {
        List<String> problems = new ArrayList<>();
        if (quietPeriod == null || quietPeriod.isNegative()) problems.add("correlation.quiet_period must be >= 0");
        if (reopenWindow == null || reopenWindow.isNegative()) problems.add("correlation.reopen_window must be >= 0");
        if (maxResources < 1) problems.add("correlation.max_resources must be >= 1, was " + maxResources);
        if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
    }

    public static CorrelationConfig defaults() {
        return new CorrelationConfig(Duration.ofMinutes(5), Duration.ofMinutes(30), 200);
    }

    /** Reads {@code correlation.*}; throws {@link IllegalArgumentException} naming every bad key. */
    public static CorrelationConfig from(ConfigView c) {
        CorrelationConfig d = defaults();
        Problems p = new Problems();
        Duration quiet = p.read(() -> c.getDuration("correlation.quiet_period", d.quietPeriod), d.quietPeriod);
        Duration reopen = p.read(() -> c.getDuration("correlation.reopen_window", d.reopenWindow), d.reopenWindow);
        int max = p.read(() -> c.getInt("correlation.max_resources", d.maxResources), d.maxResources);
        CorrelationConfig out = p.read(() -> new CorrelationConfig(quiet, reopen, max), null);
        if (p.list().isEmpty()) return out;
        throw new IllegalArgumentException(String.join("; ", p.list()));
    }
}

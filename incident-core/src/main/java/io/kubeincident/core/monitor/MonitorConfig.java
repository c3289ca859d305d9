package io.kubeincident.core.monitor;

import io.kubeincident.api.ConfigView;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the monitor watches and how often it sweeps.
 *
 * @param namespaces   {@code monitoring.namespaces}: the namespaces to watch; empty for all. Nodes are
 *                     cluster-scoped and always watched.
 * @param kinds        {@code monitoring.kinds}: the kinds to watch (kind names or plurals); default every
 *                     {@link WatchedKind} but {@code Endpoints} (EndpointSlices say the same)
 * @param scanInterval {@code monitoring.scan_interval}: the period of the full sweep that catches time-based
 *                     conditions (default 30s)
 * @param syncTimeout  {@code monitoring.sync_timeout}: how long {@code awaitReady} waits by default (default 60s)
 */
public record MonitorConfig(List<String> namespaces, Set<WatchedKind> kinds, Duration scanInterval, Duration syncTimeout) {

    public MonitorConfig {
        namespaces = namespaces == null ? List.of() : List.copyOf(new LinkedHashSet<>(namespaces));
        kinds = kinds == null || kinds.isEmpty() ? defaultKinds() : Set.copyOf(kinds);
        List<String> problems = new ArrayList<>();
        if (scanInterval == null || scanInterval.isZero() || scanInterval.isNegative()) {
            problems.add("monitoring.scan_interval must be positive, was " + io.kubeincident.api.ConfigView.formatDuration(scanInterval));
        }
        if (syncTimeout == null || syncTimeout.isNegative()) problems.add("monitoring.sync_timeout must be >= 0");
        for (String ns : namespaces) {
            if (ns.isBlank()) problems.add("monitoring.namespaces has a blank entry");
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
    }

    public static Set<WatchedKind> defaultKinds() {
        return Set.copyOf(EnumSet.complementOf(EnumSet.of(WatchedKind.ENDPOINTS)));
    }

    public static MonitorConfig defaults() {
        return new MonitorConfig(List.of(), null, Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    /** Reads {@code monitoring.*}; throws {@link IllegalArgumentException} naming every bad key. */
    public static MonitorConfig from(ConfigView c) {
        List<String> problems = new ArrayList<>();
        List<String> namespaces = c.getList("monitoring.namespaces", List.of());
        Set<WatchedKind> kinds = null;
        List<String> kindNames = c.getList("monitoring.kinds", List.of());
        if (!kindNames.isEmpty()) {
            kinds = EnumSet.noneOf(WatchedKind.class);
            for (String k : kindNames) {
                try {
                    kinds.add(WatchedKind.parse(k));
                } catch (IllegalArgumentException e) {
                    problems.add("monitoring.kinds: " + e.getMessage());
                }
            }
        }
        Duration scan = Duration.ofSeconds(30);
        Duration sync = Duration.ofSeconds(60);
        try {
            scan = c.getDuration("monitoring.scan_interval", scan);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        try {
            sync = c.getDuration("monitoring.sync_timeout", sync);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        try {
            MonitorConfig out = new MonitorConfig(namespaces, kinds, scan, sync);
            if (problems.isEmpty()) return out;
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        throw new IllegalArgumentException(String.join("; ", problems));
    }

    public boolean allNamespaces() {
        return namespaces.isEmpty();
    }
}

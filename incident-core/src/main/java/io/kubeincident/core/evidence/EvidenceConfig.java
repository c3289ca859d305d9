package io.kubeincident.core.evidence;

import io.kubeincident.api.Redactor;
import io.kubeincident.api.ConfigView;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Bounds of evidence gathering, read from {@code evidence.*}.
 *
 * @param logLines            {@code evidence.log_lines}: lines per log tail (default 50)
 * @param logBytes            {@code evidence.log_bytes}: bytes per log tail (default 8192)
 * @param logBytesTotal       {@code evidence.log_bytes_total}: bytes of all log tails of one incident (default 32768)
 * @param logPods             {@code evidence.log_pods}: pods whose logs are read (default 2)
 * @param maxEvents           {@code evidence.max_events}: event summaries kept (default 20)
 * @param maxConfigMaps       {@code evidence.max_config_maps}: referenced ConfigMaps checked for changes (default 10)
 * @param recentRolloutWindow {@code evidence.recent_rollout_window}: a rollout this close before the incident
 *                            counts as recent (default 30m)
 * @param extraRedactions     {@code evidence.redact_patterns}: extra regular expressions to mask
 */
public record EvidenceConfig(int logLines, int logBytes, int logBytesTotal, int logPods, int maxEvents, int maxConfigMaps,
                             Duration recentRolloutWindow, List<String> extraRedactions) {

    public EvidenceConfig {
        List<String> problems = new ArrayList<>();
        if (logLines < 0) problems.add("evidence.log_lines must be >= 0");
        if (logBytes < 0) problems.add("evidence.log_bytes must be >= 0");
        if (logBytesTotal < 0) problems.add("evidence.log_bytes_total must be >= 0");
        if (logPods < 0) problems.add("evidence.log_pods must be >= 0");
        if (maxEvents < 0) problems.add("evidence.max_events must be >= 0");
        if (maxConfigMaps < 0) problems.add("evidence.max_config_maps must be >= 0");
        if (recentRolloutWindow == null || recentRolloutWindow.isNegative()) problems.add("evidence.recent_rollout_window must be >= 0");
        if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
        extraRedactions = extraRedactions == null ? List.of() : List.copyOf(extraRedactions);
    }

    public static EvidenceConfig defaults() {
        return new EvidenceConfig(50, 8192, 32768, 2, 20, 10, Duration.ofMinutes(30), List.of());
    }

    /** Reads {@code evidence.*}; throws {@link IllegalArgumentException} naming every bad key. */
    public static EvidenceConfig from(ConfigView c) {
        EvidenceConfig d = defaults();
        List<String> problems = new ArrayList<>();
        int[] ints = {d.logLines, d.logBytes, d.logBytesTotal, d.logPods, d.maxEvents, d.maxConfigMaps};
        String[] keys = {"log_lines", "log_bytes", "log_bytes_total", "log_pods", "max_events", "max_config_maps"};
        for (int i = 0; i < keys.length; i++) {
            try {
                ints[i] = c.getInt("evidence." + keys[i], ints[i]);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        Duration recent = d.recentRolloutWindow;
        try {
            recent = c.getDuration("evidence.recent_rollout_window", recent);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        List<String> patterns = c.getList("evidence.redact_patterns", List.of());
        try {
            Redactor.withExtraPatterns(patterns);
        } catch (IllegalArgumentException e) {
            problems.add("evidence.redact_patterns: " + e.getMessage());
        }
        try {
            EvidenceConfig out = new EvidenceConfig(ints[0], ints[1], ints[2], ints[3], ints[4], ints[5], recent, patterns);
            if (problems.isEmpty()) return out;
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        throw new IllegalArgumentException(String.join("; ", problems));
    }
}

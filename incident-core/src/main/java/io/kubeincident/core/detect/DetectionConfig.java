package io.kubeincident.core.detect;

import io.kubeincident.api.ConfigView;
import io.kubeincident.core.config.Problems;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Thresholds of the built-in detectors, read from the {@code detection.*} keys. Durations accept
 * {@code 30s}, {@code 5m}, plain seconds or ISO-8601. Time conditions are measured from the objects'
 * status timestamps, so a restarted engine sees the same ages.
 *
 * @param crashLoopMinRestarts          {@code detection.crash_loop_min_restarts}: restarts before a
 *                                      CrashLoopBackOff container counts (default 1: the kubelet's back-off is
 *                                      already its verdict that the container keeps failing)
 * @param crashLoopRecovery             {@code detection.crash_loop_recovery}: a restarted container that has
 *                                      run this long since its last crash (or OOM kill) has recovered (default 10m)
 * @param imagePullGrace                {@code detection.image_pull_grace}: how long a container may wait
 *                                      on a pull error before it counts (default 30s; InvalidImageName counts at once)
 * @param configErrorGrace              {@code detection.config_error_grace}: same for CreateContainerConfigError
 *                                      and missing volume sources (default 30s)
 * @param oomWindow                     {@code detection.oom_window}: an OOM kill older than this is history (default 1h)
 * @param pendingThreshold              {@code detection.pending_threshold}: Pending + Unschedulable for longer (default 5m)
 * @param readinessThreshold            {@code detection.readiness_threshold}: running but not ready for longer (default 3m)
 * @param terminatingThreshold          {@code detection.terminating_threshold}: past the deletion deadline (default 5m)
 * @param evictedWindow                 {@code detection.evicted_window}: evictions older than this are history (default 1h)
 * @param rolloutUnavailableThreshold   {@code detection.rollout_unavailable_threshold}: Deployment Available=False
 *                                      for longer (default 10m); ProgressDeadlineExceeded counts at once
 * @param workloadUnavailableThreshold  {@code detection.workload_unavailable_threshold}: StatefulSet/DaemonSet
 *                                      not ready for longer (default 5m)
 * @param jobFailedWindow               {@code detection.job_failed_window}: Job failures older than this are
 *                                      history (default 6h)
 * @param nodeNotReadyThreshold         {@code detection.node_not_ready_threshold} (default 1m)
 * @param nodePressureThreshold         {@code detection.node_pressure_threshold} (default 1m)
 * @param serviceNoEndpointsThreshold   {@code detection.service_no_endpoints_threshold} (default 2m)
 * @param pvcPendingThreshold           {@code detection.pvc_pending_threshold} (default 5m)
 * @param hpaMaxedThreshold             {@code detection.hpa_maxed_threshold} (default 10m)
 * @param disabled                      {@code detection.disabled}: detector ids not to run
 */
public record DetectionConfig(int crashLoopMinRestarts, Duration crashLoopRecovery, Duration imagePullGrace, Duration configErrorGrace,
                              Duration oomWindow, Duration pendingThreshold, Duration readinessThreshold,
                              Duration terminatingThreshold, Duration evictedWindow,
                              Duration rolloutUnavailableThreshold, Duration workloadUnavailableThreshold,
                              Duration jobFailedWindow, Duration nodeNotReadyThreshold,
                              Duration nodePressureThreshold, Duration serviceNoEndpointsThreshold,
                              Duration pvcPendingThreshold, Duration hpaMaxedThreshold, Set<String> disabled) {

    public static final String PREFIX = "detection.";

    public DetectionConfig {
        List<String> problems = new ArrayList<>();
        if (crashLoopMinRestarts < 1) problems.add(PREFIX + "crash_loop_min_restarts must be >= 1, was " + crashLoopMinRestarts);
        check(problems, "crash_loop_recovery", crashLoopRecovery);
        check(problems, "image_pull_grace", imagePullGrace);
        check(problems, "config_error_grace", configErrorGrace);
        check(problems, "oom_window", oomWindow);
        check(problems, "pending_threshold", pendingThreshold);
        check(problems, "readiness_threshold", readinessThreshold);
        check(problems, "terminating_threshold", terminatingThreshold);
        check(problems, "evicted_window", evictedWindow);
        check(problems, "rollout_unavailable_threshold", rolloutUnavailableThreshold);
        check(problems, "workload_unavailable_threshold", workloadUnavailableThreshold);
        check(problems, "job_failed_window", jobFailedWindow);
        check(problems, "node_not_ready_threshold", nodeNotReadyThreshold);
        check(problems, "node_pressure_threshold", nodePressureThreshold);
        check(problems, "service_no_endpoints_threshold", serviceNoEndpointsThreshold);
        check(problems, "pvc_pending_threshold", pvcPendingThreshold);
        check(problems, "hpa_maxed_threshold", hpaMaxedThreshold);
        if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
        disabled = disabled == null ? Set.of() : Set.copyOf(disabled);
    }

    public static DetectionConfig defaults() {
        return from(ConfigView.empty());
    }

    /** Reads {@code detection.*}; throws {@link IllegalArgumentException} listing every bad key. */
    public static DetectionConfig from(ConfigView config) {
        Problems p = new Problems();
        int minRestarts = p.read(() -> config.getInt(PREFIX + "crash_loop_min_restarts", 1), 1);
        Duration recovery = duration(p, config, "crash_loop_recovery", Duration.ofMinutes(10));
        Duration[] d = {
                duration(p, config, "image_pull_grace", Duration.ofSeconds(30)),
                duration(p, config, "config_error_grace", Duration.ofSeconds(30)),
                duration(p, config, "oom_window", Duration.ofHours(1)),
                duration(p, config, "pending_threshold", Duration.ofMinutes(5)),
                duration(p, config, "readiness_threshold", Duration.ofMinutes(3)),
                duration(p, config, "terminating_threshold", Duration.ofMinutes(5)),
                duration(p, config, "evicted_window", Duration.ofHours(1)),
                duration(p, config, "rollout_unavailable_threshold", Duration.ofMinutes(10)),
                duration(p, config, "workload_unavailable_threshold", Duration.ofMinutes(5)),
                duration(p, config, "job_failed_window", Duration.ofHours(6)),
                duration(p, config, "node_not_ready_threshold", Duration.ofMinutes(1)),
                duration(p, config, "node_pressure_threshold", Duration.ofMinutes(1)),
                duration(p, config, "service_no_endpoints_threshold", Duration.ofMinutes(2)),
                duration(p, config, "pvc_pending_threshold", Duration.ofMinutes(5)),
                duration(p, config, "hpa_maxed_threshold", Duration.ofMinutes(10))};
        Set<String> disabled = Set.copyOf(config.getList(PREFIX + "disabled", List.of()));
        // Values that failed to parse were replaced by defaults, so range checks still report the others.
        DetectionConfig c = p.read(() -> new DetectionConfig(minRestarts, recovery, d[0], d[1], d[2], d[3], d[4], d[5],
                d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], disabled), null);
        if (!p.list().isEmpty()) throw new IllegalArgumentException(String.join("; ", p.list()));
        return c;
    }

    private static Duration duration(Problems p, ConfigView config, String key, Duration fallback) {
        return p.read(() -> config.getDuration(PREFIX + key, fallback), fallback);
    }

    public boolean enabled(String detectorId) {
        return !disabled.contains(detectorId);
    }

    private static void check(List<String> problems, String key, Duration value) {
        if (value == null) problems.add(PREFIX + key + " is required");
        else if (value.isNegative()) problems.add(PREFIX + key + " must not be negative, was " + ConfigView.formatDuration(value));
    }
}

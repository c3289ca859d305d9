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
 * @param sandboxFailureThreshold       {@code detection.sandbox_failure_threshold}: FailedCreatePodSandBox for longer
 *                                      (default 5m)
 * @param nodeProblemThreshold          {@code detection.node_problem_threshold}: a node problem condition True for
 *                                      longer (default 1m)
 * @param nodeProblemConditions         {@code detection.node_problem_conditions}: node condition types that are a
 *                                      problem when True (default {@link #DEFAULT_NODE_PROBLEM_CONDITIONS}, the
 *                                      node-problem-detector's)
 * @param nodeBenignConditions          {@code detection.node_benign_conditions}: node condition types that are fine
 *                                      when True (default {@link #DEFAULT_NODE_BENIGN_CONDITIONS}); any other unknown
 *                                      type that is True is a low-severity problem
 * @param hpaCannotActThreshold         {@code detection.hpa_cannot_act_threshold}: AbleToScale=False or
 *                                      ScalingActive=False for longer (default 10m)
 * @param missingReferenceThreshold     {@code detection.missing_reference_threshold}: an object older than this that
 *                                      names a missing one (a StatefulSet's governing Service, an autoscaler's scale
 *                                      target) is a configuration defect; younger ones may be mid-apply (default 5m)
 * @param disabled                      {@code detection.disabled}: detector ids not to run
 */
public record DetectionConfig(int crashLoopMinRestarts, Duration crashLoopRecovery, Duration imagePullGrace, Duration configErrorGrace,
                              Duration oomWindow, Duration pendingThreshold, Duration readinessThreshold,
                              Duration terminatingThreshold, Duration evictedWindow,
                              Duration rolloutUnavailableThreshold, Duration workloadUnavailableThreshold,
                              Duration jobFailedWindow, Duration nodeNotReadyThreshold,
                              Duration nodePressureThreshold, Duration serviceNoEndpointsThreshold,
                              Duration pvcPendingThreshold, Duration hpaMaxedThreshold,
                              Duration sandboxFailureThreshold, Duration nodeProblemThreshold,
                              List<String> nodeProblemConditions, Set<String> nodeBenignConditions,
                              Duration hpaCannotActThreshold, Duration missingReferenceThreshold,
                              Set<String> disabled) {

    public static final String PREFIX = "detection.";

    /** The node-problem-detector's permanent and temporary-turned-permanent problem conditions. */
    public static final List<String> DEFAULT_NODE_PROBLEM_CONDITIONS = List.of(
            "KernelDeadlock", "ReadonlyFilesystem", "FrequentKubeletRestart", "FrequentContainerdRestart",
            "FrequentDockerRestart", "FrequentUnregisterNetDevice", "CorruptDockerOverlay2",
            "ContainerRuntimeUnhealthy", "KubeletUnhealthy");

    /** Condition types some distributions set True on healthy nodes (k3s marks etcd voters this way). */
    public static final List<String> DEFAULT_NODE_BENIGN_CONDITIONS = List.of("EtcdIsVoter");

    /** The kubelet's own conditions: the node-not-ready and node-pressure detectors read them. */
    static final Set<String> STANDARD_NODE_CONDITIONS = Set.of("Ready", "MemoryPressure", "DiskPressure", "PIDPressure",
            "NetworkUnavailable");

    /** Every key this record reads; any other {@code detection.*} key is an error. */
    static final Set<String> KEYS = Set.of("crash_loop_min_restarts", "crash_loop_recovery", "image_pull_grace",
            "config_error_grace", "oom_window", "pending_threshold", "readiness_threshold", "terminating_threshold",
            "evicted_window", "rollout_unavailable_threshold", "workload_unavailable_threshold", "job_failed_window",
            "node_not_ready_threshold", "node_pressure_threshold", "service_no_endpoints_threshold",
            "pvc_pending_threshold", "hpa_maxed_threshold", "sandbox_failure_threshold", "node_problem_threshold",
            "node_problem_conditions", "node_benign_conditions", "hpa_cannot_act_threshold",
            "missing_reference_threshold", "disabled");

    private static final java.util.regex.Pattern CONDITION_TYPE = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");

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
        check(problems, "sandbox_failure_threshold", sandboxFailureThreshold);
        check(problems, "node_problem_threshold", nodeProblemThreshold);
        check(problems, "hpa_cannot_act_threshold", hpaCannotActThreshold);
        check(problems, "missing_reference_threshold", missingReferenceThreshold);
        nodeProblemConditions = nodeProblemConditions == null ? DEFAULT_NODE_PROBLEM_CONDITIONS : List.copyOf(nodeProblemConditions);
        nodeBenignConditions = nodeBenignConditions == null ? Set.copyOf(DEFAULT_NODE_BENIGN_CONDITIONS) : Set.copyOf(nodeBenignConditions);
        checkConditions(problems, "node_problem_conditions", nodeProblemConditions);
        checkConditions(problems, "node_benign_conditions", nodeBenignConditions);
        for (String t : nodeProblemConditions) {
            if (nodeBenignConditions.contains(t)) {
                problems.add(PREFIX + "node_problem_conditions and " + PREFIX + "node_benign_conditions both list " + t);
            }
        }
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
                duration(p, config, "hpa_maxed_threshold", Duration.ofMinutes(10)),
                duration(p, config, "sandbox_failure_threshold", Duration.ofMinutes(5)),
                duration(p, config, "node_problem_threshold", Duration.ofMinutes(1)),
                duration(p, config, "hpa_cannot_act_threshold", Duration.ofMinutes(10)),
                duration(p, config, "missing_reference_threshold", Duration.ofMinutes(5))};
        // Unknown detection.* keys are refused with every other unknown key by the engine's one check (EngineKeys).
        Set<String> disabled = Set.copyOf(config.getList(PREFIX + "disabled", List.of()));
        List<String> problemConditions = config.getList(PREFIX + "node_problem_conditions", DEFAULT_NODE_PROBLEM_CONDITIONS);
        Set<String> benignConditions = Set.copyOf(config.getList(PREFIX + "node_benign_conditions", DEFAULT_NODE_BENIGN_CONDITIONS));
        // Values that failed to parse were replaced by defaults, so range checks still report the others.
        DetectionConfig c = p.read(() -> new DetectionConfig(minRestarts, recovery, d[0], d[1], d[2], d[3], d[4], d[5],
                d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15], d[16], problemConditions,
                benignConditions, d[17], d[18], disabled), null);
        if (!p.list().isEmpty()) throw new IllegalArgumentException(String.join("; ", p.list()));
        return c;
    }

    private static Duration duration(Problems p, ConfigView config, String key, Duration fallback) {
        return p.read(() -> config.getDuration(PREFIX + key, fallback), fallback);
    }

    public boolean enabled(String detectorId) {
        return !disabled.contains(detectorId);
    }

    private static void checkConditions(List<String> problems, String key, java.util.Collection<String> types) {
        for (String t : types) {
            if (t == null || !CONDITION_TYPE.matcher(t).matches()) {
                problems.add(PREFIX + key + ": not a condition type: '" + t + "'");
            } else if (STANDARD_NODE_CONDITIONS.contains(t)) {
                problems.add(PREFIX + key + ": " + t + " is a kubelet condition read by the node-not-ready and node-pressure "
                        + "detectors; list only other condition types");
            }
        }
    }

    private static void check(List<String> problems, String key, Duration value) {
        if (value == null) problems.add(PREFIX + key + " is required");
        else if (value.isNegative()) problems.add(PREFIX + key + " must not be negative, was " + ConfigView.formatDuration(value));
    }
}

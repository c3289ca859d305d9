package io.kubeincident.api;

import java.util.List;

/**
 * The incident type ids of the built-in detection catalog. Hosts and tools match on these strings;
 * third-party detectors may add their own kebab-case ids.
 */
public final class IncidentTypes {
    public static final String CRASH_LOOP = "crash-loop";
    public static final String IMAGE_PULL = "image-pull";
    public static final String OOM_KILLED = "oom-killed";
    public static final String CONTAINER_CONFIG_ERROR = "container-config-error";
    public static final String UNSCHEDULABLE = "unschedulable";
    public static final String READINESS_FAILING = "readiness-failing";
    public static final String STUCK_TERMINATING = "stuck-terminating";
    public static final String EVICTED = "evicted";
    public static final String ROLLOUT_STUCK = "rollout-stuck";
    public static final String REPLICA_FAILURE = "replica-failure";
    public static final String WORKLOAD_UNAVAILABLE = "workload-unavailable";
    public static final String JOB_FAILED = "job-failed";
    public static final String NODE_NOT_READY = "node-not-ready";
    public static final String NODE_PRESSURE = "node-pressure";
    public static final String SERVICE_NO_ENDPOINTS = "service-no-endpoints";
    public static final String PVC_PENDING = "pvc-pending";
    public static final String HPA_MAXED = "hpa-maxed";
    public static final String ARGOCD_DEGRADED = "argocd-degraded";
    /** A scheduled pod whose sandbox (network namespace, CNI set-up) cannot be created. */
    public static final String POD_SANDBOX_FAILED = "pod-sandbox-failed";
    /** A container the kubelet asked to stop that was still running at the end of its grace period (exit 137). */
    public static final String GRACE_PERIOD_EXCEEDED = "grace-period-exceeded";
    /** A PersistentVolumeClaim whose volume is gone (phase Lost). */
    public static final String PVC_LOST = "pvc-lost";
    /** A node condition other than the kubelet's own (node-problem-detector's KernelDeadlock, ...) is True. */
    public static final String NODE_PROBLEM = "node-problem";
    /** An autoscaler whose scale updates fail (AbleToScale=False). */
    public static final String HPA_CANNOT_SCALE = "hpa-cannot-scale";
    /** An autoscaler that cannot compute a replica count (ScalingActive=False). */
    public static final String HPA_METRICS_UNAVAILABLE = "hpa-metrics-unavailable";
    /** Configuration defect: a bare run-once pod (no controller) that failed. */
    public static final String BARE_POD_FAILED = "bare-pod-failed";
    /** Configuration defect: a StatefulSet whose governing Service does not exist. */
    public static final String STATEFULSET_SERVICE_MISSING = "statefulset-service-missing";
    /** Configuration defect: an autoscaler whose scale target does not exist. */
    public static final String HPA_TARGET_MISSING = "hpa-target-missing";
    /** Configuration defect: a selector-less Service whose hand-managed endpoints are all not ready. */
    public static final String MANUAL_ENDPOINTS_NOT_READY = "manual-endpoints-not-ready";
    /**
     * An alert from outside the watches (Alertmanager, a metrics rule) that names no more specific type: it is
     * diagnosed and shown, and never acted on unless a rule for it says so.
     */
    public static final String ALERT = "alert";

    public static final List<String> BUILT_IN = List.of(
            CRASH_LOOP, IMAGE_PULL, OOM_KILLED, CONTAINER_CONFIG_ERROR, UNSCHEDULABLE, READINESS_FAILING,
            STUCK_TERMINATING, EVICTED, ROLLOUT_STUCK, REPLICA_FAILURE, WORKLOAD_UNAVAILABLE, JOB_FAILED,
            NODE_NOT_READY, NODE_PRESSURE, SERVICE_NO_ENDPOINTS, PVC_PENDING, HPA_MAXED, ARGOCD_DEGRADED,
            POD_SANDBOX_FAILED, GRACE_PERIOD_EXCEEDED, PVC_LOST, NODE_PROBLEM, HPA_CANNOT_SCALE, HPA_METRICS_UNAVAILABLE,
            BARE_POD_FAILED, STATEFULSET_SERVICE_MISSING, HPA_TARGET_MISSING, MANUAL_ENDPOINTS_NOT_READY, ALERT);

    /**
     * Configuration defects: reported at low severity and diagnosed, never acted on (no rule proposes an
     * action for them; a human fixes the manifest).
     */
    public static final List<String> CONFIGURATION_DEFECTS = List.of(
            BARE_POD_FAILED, STATEFULSET_SERVICE_MISSING, HPA_TARGET_MISSING, MANUAL_ENDPOINTS_NOT_READY);

    private IncidentTypes() {
    }
}

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
    /**
     * An alert from outside the watches (Alertmanager, a metrics rule) that names no more specific type: it is
     * diagnosed and shown, and never acted on unless a rule for it says so.
     */
    public static final String ALERT = "alert";

    public static final List<String> BUILT_IN = List.of(
            CRASH_LOOP, IMAGE_PULL, OOM_KILLED, CONTAINER_CONFIG_ERROR, UNSCHEDULABLE, READINESS_FAILING,
            STUCK_TERMINATING, EVICTED, ROLLOUT_STUCK, REPLICA_FAILURE, WORKLOAD_UNAVAILABLE, JOB_FAILED,
            NODE_NOT_READY, NODE_PRESSURE, SERVICE_NO_ENDPOINTS, PVC_PENDING, HPA_MAXED, ARGOCD_DEGRADED, ALERT);

    private IncidentTypes() {
    }
}

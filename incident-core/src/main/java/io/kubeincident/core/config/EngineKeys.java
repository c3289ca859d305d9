package io.kubeincident.core.config;

import io.kubeincident.api.ConfigKeys;

import static io.kubeincident.api.ConfigKeys.Type.BOOLEAN;
import static io.kubeincident.api.ConfigKeys.Type.DURATION;
import static io.kubeincident.api.ConfigKeys.Type.INTEGER;
import static io.kubeincident.api.ConfigKeys.Type.LIST;
import static io.kubeincident.api.ConfigKeys.Type.NUMBER;
import static io.kubeincident.api.ConfigKeys.Type.TEXT;

/**
 * Every key incident-core reads, in one declaration, so that the builder can refuse keys nobody reads.
 * The records that read them ({@link EngineConfig}, {@code SafetyConfig}, {@code DetectionConfig}, ...)
 * document their meaning; {@code EngineKeysTest} keeps this list and those readers together.
 */
public final class EngineKeys {

    /** The built-in actions' switches ({@code ActionEnabledPolicy}). */
    public static final String[] ENABLE_SWITCHES = {"enable_pod_restart", "enable_scaling", "enable_rollback",
            "enable_resource_update", "enable_config_update", "enable_secret_update", "enable_node_drain"};

    public static final ConfigKeys ALL = ConfigKeys.builder()
            .under("monitoring", DURATION, "scan_interval", "sync_timeout")
            .under("monitoring", NUMBER, "confidence_threshold", "approval_threshold")
            .under("monitoring", LIST, "namespaces", "kinds")
            .under("remediation", TEXT, "mode")
            .under("remediation", INTEGER, "api_attempts", "drain_eviction_attempts")
            .under("remediation", DURATION, "api_backoff", "api_max_backoff", "drain_timeout", "drain_eviction_backoff",
                    "drain_poll_interval")
            .under("remediation", BOOLEAN, ENABLE_SWITCHES)
            .under("safety", LIST, "excluded_namespaces")
            .under("safety", TEXT, "opt_out_label", "max_memory", "max_cpu")
            .under("safety", INTEGER, "max_replicas", "max_concurrent_actions", "max_actions_per_hour",
                    "max_actions_per_hour_per_namespace", "retry_budget", "max_nodes_draining")
            .under("safety", NUMBER, "max_scale_factor", "max_resource_factor")
            .under("safety", DURATION, "cooldown", "retry_window")
            .text("safety.change_freeze.*.cron", "safety.change_freeze.*.timezone")
            .duration("safety.change_freeze.*.duration")
            .list("safety.change_freeze.*.namespaces")
            .integer("detection.crash_loop_min_restarts")
            .duration("detection.crash_loop_recovery", "detection.image_pull_grace", "detection.config_error_grace",
                    "detection.oom_window", "detection.pending_threshold", "detection.readiness_threshold",
                    "detection.terminating_threshold", "detection.evicted_window",
                    "detection.rollout_unavailable_threshold", "detection.workload_unavailable_threshold",
                    "detection.job_failed_window", "detection.node_not_ready_threshold",
                    "detection.node_pressure_threshold", "detection.service_no_endpoints_threshold",
                    "detection.pvc_pending_threshold", "detection.hpa_maxed_threshold",
                    "detection.sandbox_failure_threshold", "detection.node_problem_threshold",
                    "detection.hpa_cannot_act_threshold", "detection.missing_reference_threshold")
            .list("detection.disabled", "detection.node_problem_conditions", "detection.node_benign_conditions")
            .under("correlation", DURATION, "quiet_period", "reopen_window")
            .integer("correlation.max_resources")
            .under("evidence", INTEGER, "log_lines", "log_bytes", "log_bytes_total", "log_pods", "max_events",
                    "max_config_maps")
            .duration("evidence.recent_rollout_window")
            .list("evidence.redact_patterns")
            .duration("analysis.timeout")
            .integer("analysis.concurrency")
            .duration("approval.timeout")
            .bool("verification.enabled")
            .duration("verification.window")
            .integer("verification.stable_observations")
            .under("learning", TEXT, "store", "file", "configmap")
            .integer("learning.max_records")
            .bool("alerting.enabled")
            .under("alerting", TEXT, "webhook_url", "slack_webhook_url")
            .list("alerting.events")
            .integer("alerting.attempts")
            .under("alerting", DURATION, "backoff", "timeout")
            .text("audit.file", "runtime.namespace")
            .build();

    private EngineKeys() {
    }
}

package io.kubeincident.prometheus;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns labelled series and alerts into findings: which resource the labels name, which incident type an alert name
 * stands for, how bad it is.
 *
 * <p>Resource: the most specific role with a label wins, in the order pod, deployment, statefulset, daemonset, job,
 * pvc, node, service; namespaced kinds need the namespace label; a namespace alone names the Namespace. Label names
 * come from {@code prometheus.labels.*} (defaults: kube-state-metrics' {@code namespace}, {@code pod},
 * {@code container}, {@code deployment}, ..., {@code job_name}, {@code persistentvolumeclaim}).
 */
public final class AlertMapping {

    /** kubernetes-mixin (kube-prometheus-stack) alert names and the incident types they stand for. */
    public static final Map<String, String> MIXIN_TYPES = Map.ofEntries(
            Map.entry("KubePodCrashLooping", IncidentTypes.CRASH_LOOP),
            Map.entry("KubePodNotReady", IncidentTypes.READINESS_FAILING),
            Map.entry("KubeDeploymentRolloutStuck", IncidentTypes.ROLLOUT_STUCK),
            Map.entry("KubeDeploymentReplicasMismatch", IncidentTypes.ROLLOUT_STUCK),
            Map.entry("KubeDeploymentGenerationMismatch", IncidentTypes.ROLLOUT_STUCK),
            Map.entry("KubeStatefulSetUpdateNotRolledOut", IncidentTypes.ROLLOUT_STUCK),
            Map.entry("KubeStatefulSetReplicasMismatch", IncidentTypes.WORKLOAD_UNAVAILABLE),
            Map.entry("KubeDaemonSetRolloutStuck", IncidentTypes.ROLLOUT_STUCK),
            Map.entry("KubeDaemonSetNotScheduled", IncidentTypes.WORKLOAD_UNAVAILABLE),
            Map.entry("KubeNodeNotReady", IncidentTypes.NODE_NOT_READY),
            Map.entry("KubeNodeUnreachable", IncidentTypes.NODE_NOT_READY),
            Map.entry("KubeJobFailed", IncidentTypes.JOB_FAILED),
            Map.entry("KubeHpaMaxedOut", IncidentTypes.HPA_MAXED));

    private static final List<String> ROLE_ORDER = List.of("pod", "deployment", "statefulset", "daemonset", "job", "pvc",
            "node", "service");
    private static final Map<String, String> KIND = Map.of("pod", "Pod", "deployment", "Deployment", "statefulset",
            "StatefulSet", "daemonset", "DaemonSet", "job", "Job", "pvc", "PersistentVolumeClaim", "node", "Node",
            "service", "Service");

    private final Map<String, String> labels;
    private final Map<String, String> types;

    public AlertMapping(PrometheusConfig config) {
        this(config.labels(), config.alertTypes());
    }

    /**
     * @param labels     role → label name ({@link PrometheusConfig#DEFAULT_LABELS} for what is missing)
     * @param extraTypes alert name → incident type, over {@link #MIXIN_TYPES}
     */
    public AlertMapping(Map<String, String> labels, Map<String, String> extraTypes) {
        Map<String, String> l = new LinkedHashMap<>(PrometheusConfig.DEFAULT_LABELS);
        l.putAll(labels);
        this.labels = Map.copyOf(l);
        Map<String, String> t = new LinkedHashMap<>(MIXIN_TYPES);
        t.putAll(extraTypes);
        this.types = Map.copyOf(t);
    }

    /** This mapping with some roles' label names replaced (a rule's own {@code labels}). */
    public AlertMapping withLabels(Map<String, String> override) {
        if (override.isEmpty()) return this;
        Map<String, String> l = new LinkedHashMap<>(labels);
        l.putAll(override);
        return new AlertMapping(l, types);
    }

    /** The incident type of an alert name: the mixin's or a configured one, else {@link IncidentTypes#ALERT}. */
    public String incidentType(String alertName) {
        return types.getOrDefault(alertName, IncidentTypes.ALERT);
    }

    /** The resource the labels name, if any. */
    public Optional<ResourceRef> resource(Map<String, String> seriesLabels) {
        String ns = value(seriesLabels, "namespace");
        for (String role : ROLE_ORDER) {
            String name = value(seriesLabels, role);
            if (name == null) continue;
            if (role.equals("node")) return Optional.of(ResourceRef.cluster("Node", name));
            if (ns == null) continue;
            return Optional.of(ResourceRef.of(KIND.get(role), ns, name));
        }
        return ns == null ? Optional.empty() : Optional.of(ResourceRef.cluster("Namespace", ns));
    }

    /** The container a series is about, if its labels say. */
    public String container(Map<String, String> seriesLabels) {
        return value(seriesLabels, "container");
    }

    private String value(Map<String, String> seriesLabels, String role) {
        String v = seriesLabels.get(labels.get(role));
        return v == null || v.isBlank() ? null : v;
    }

    /** Alertmanager's {@code severity} label: critical, error/high, warning, info/none. */
    public static Severity severity(String label) {
        if (label == null) return Severity.MEDIUM;
        return switch (label.toLowerCase(Locale.ROOT)) {
            case "critical", "page" -> Severity.CRITICAL;
            case "error", "high", "major" -> Severity.HIGH;
            case "info", "none" -> Severity.INFO;
            case "low", "minor" -> Severity.LOW;
            default -> Severity.MEDIUM;
        };
    }

    /** The finding a firing alert stands for, or empty when its labels name no resource. */
    public Optional<Finding> finding(AlertmanagerPayload.Alert alert, Instant now) {
        Optional<ResourceRef> ref = resource(alert.labels());
        if (ref.isEmpty()) return Optional.empty();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("alertname", alert.name());
        facts.put("alertFingerprint", alert.fingerprint());
        put(facts, "alertSeverity", alert.labels().get("severity"));
        put(facts, "alertSummary", alert.annotations().get("summary"));
        put(facts, "alertDescription", alert.annotations().get("description"));
        put(facts, "alertRunbook", alert.annotations().get("runbook_url"));
        put(facts, "alertGeneratorUrl", alert.generatorURL());
        put(facts, "container", container(alert.labels()));
        if (alert.startsAt() != null) facts.put("alertStartsAt", alert.startsAt().toString());
        String summary = alert.annotations().getOrDefault("summary", alert.annotations().get("description"));
        String message = "Alert " + alert.name() + " is firing for " + ref.get().key() + (summary == null || summary.isBlank() ? "" : ": " + clip(summary));
        return Optional.of(new Finding("alertmanager", incidentType(alert.name()), severity(alert.labels().get("severity")),
                ref.get(), message, facts, alert.startsAt() != null ? alert.startsAt() : now, Finding.SOURCE_ALERT));
    }

    private static void put(Map<String, String> facts, String key, String value) {
        if (value != null && !value.isBlank()) facts.put(key, clip(value));
    }

    private static String clip(String s) {
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() > 300 ? one.substring(0, 300) + "..." : one;
    }
}

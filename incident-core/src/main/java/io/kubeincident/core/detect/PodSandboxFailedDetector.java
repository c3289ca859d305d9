package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Pod;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Scheduled pods that never start because the kubelet cannot create their sandbox (network namespace and
 * CNI set-up, the runtime's pause container): still Pending with no container running, and
 * {@code FailedCreatePodSandBox} warnings for longer than {@code detection.sandbox_failure_threshold},
 * counted from the first of them. A pod that is merely pulling images has no such warnings; one whose
 * sandbox came up after a few failures is Running.
 */
public final class PodSandboxFailedDetector implements Detector {

    public static final String ID = "pod-sandbox-failed";

    static final String REASON = "FailedCreatePodSandBox";

    private final DetectionConfig config;

    public PodSandboxFailedDetector(DetectionConfig config) {
        this.config = config;
    }

    public PodSandboxFailedDetector() {
        this(DetectionConfig.defaults());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> kinds() {
        return Set.of("Pod");
    }

    @Override
    public Set<String> incidentTypes() {
        return Set.of(IncidentTypes.POD_SANDBOX_FAILED);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Pod pod) || pod.getSpec() == null || pod.getSpec().getNodeName() == null
                || Pods.terminating(pod) || !"Pending".equals(Pods.phase(pod))) {
            return Detector.none();
        }
        if (Pods.containers(pod).stream().anyMatch(c -> c.running() || c.terminated().isPresent())) return Detector.none();
        Instant first = null;
        CoreV1Event latest = null;
        int count = 0;
        for (CoreV1Event e : Pods.warningEvents(context.cluster(), pod)) {   // newest first
            if (!REASON.equals(e.getReason())) continue;
            if (latest == null) latest = e;
            count += Pods.eventCount(e);
            Instant t = e.getFirstTimestamp() != null ? Refs.instant(e.getFirstTimestamp()) : Pods.eventTime(e);
            if (t != null && (first == null || t.isBefore(first))) first = t;
        }
        if (latest == null) return Detector.none();
        Instant now = context.now();
        // The events may have expired while the pod kept failing: the pod's own start bounds the age from below.
        Instant since = first != null ? first : Pods.startTime(pod);
        if (!Conditions.olderThan(since, now, config.sandboxFailureThreshold())) return Detector.none();
        String message = latest.getMessage();
        return List.of(ContainerFindings.forPod(ID, IncidentTypes.POD_SANDBOX_FAILED, Severity.HIGH, pod, REASON)
                .fact("message", message)
                .fact("sandboxFailure", kind(message))
                .fact("eventCount", count)
                .fact("failingMinutes", Conditions.minutesBetween(since, now))
                .observedAt(since)
                .message("pod " + pod.getMetadata().getName() + " on node " + pod.getSpec().getNodeName()
                        + " cannot create its sandbox for " + Conditions.minutesBetween(since, now) + " min ("
                        + count + " attempts)" + ContainerFindings.suffix(message))
                .build(now));
    }

    /** {@code network} for CNI / network plugin errors, {@code runtime} for the runtime's own, else {@code other}. */
    static String kind(String message) {
        if (message == null) return "other";
        String m = message.toLowerCase();
        if (m.contains("cni") || m.contains("network plugin") || m.contains("networkplugin") || m.contains("failed to setup network")
                || m.contains("failed to set up sandbox container") && m.contains("network")) {
            return "network";
        }
        if (m.contains("runtime") || m.contains("runc") || m.contains("containerd") || m.contains("pause")
                || m.contains("oci") || m.contains("cgroup")) {
            return "runtime";
        }
        return "other";
    }
}

package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pods the kubelet evicted (phase Failed, reason Evicted) within {@code detection.evicted_window}; older
 * evicted pods that nobody cleaned up are history, not an incident.
 */
public final class EvictedDetector implements Detector {

    public static final String ID = "evicted";

    private static final Pattern LOW_ON = Pattern.compile("low on resource: (\\w[\\w-]*)");

    private final DetectionConfig config;

    public EvictedDetector(DetectionConfig config) {
        this.config = config;
    }

    public EvictedDetector() {
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
        return Set.of(IncidentTypes.EVICTED);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Pod pod) || pod.getStatus() == null) return Detector.none();
        if (!"Failed".equals(pod.getStatus().getPhase()) || !"Evicted".equals(pod.getStatus().getReason())) {
            return Detector.none();
        }
        Instant now = context.now();
        Instant at = evictedAt(pod);
        if (!Conditions.within(at, now, config.evictedWindow())) return Detector.none();
        String message = pod.getStatus().getMessage();
        String resource = null;
        if (message != null) {
            Matcher m = LOW_ON.matcher(message);
            if (m.find()) resource = m.group(1);
        }
        return List.of(ContainerFindings.forPod(ID, IncidentTypes.EVICTED, Severity.MEDIUM, pod, "Evicted")
                .fact("message", message)
                .fact("evictionResource", resource)
                .observedAt(at)
                .message("pod " + pod.getMetadata().getName() + " was evicted" + ContainerFindings.suffix(message))
                .build(now));
    }

    /** The DisruptionTarget or Ready transition, else the last container end, else the start. */
    private static Instant evictedAt(V1Pod pod) {
        for (String type : List.of("DisruptionTarget", "Ready")) {
            Instant t = Pods.condition(pod, type).map(V1PodCondition::getLastTransitionTime).map(Refs::instant).orElse(null);
            if (t != null) return t;
        }
        Instant last = null;
        for (Pods.Container c : Pods.containers(pod)) {
            Instant t = Pods.terminatedAt(c);
            if (t != null && (last == null || t.isAfter(last))) last = t;
        }
        return last != null ? last : Pods.startTime(pod);
    }
}

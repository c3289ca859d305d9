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
 * evicted pods that nobody cleaned up are history, not an incident. The message tells node pressure
 * ({@code evictionResource} memory, nodefs, ephemeral-storage, ...) from a container, pod or emptyDir over its
 * ephemeral-storage limit ({@code evictionScope}). Evicted containers end with exit 137 too; that is not an
 * OOM kill, and {@link OomKilledDetector} leaves them alone.
 */
public final class EvictedDetector implements Detector {

    public static final String ID = "evicted";

    private static final Pattern LOW_ON = Pattern.compile("low on resource: (\\w[\\w-]*)");
    private static final Pattern CONTAINER_LIMIT = Pattern.compile(
            "Container (\\S+) exceeded its local ephemeral storage limit \"([^\"]*)\"");
    private static final Pattern POD_LIMIT = Pattern.compile(
            "Pod ephemeral local storage usage exceeds the total limit of containers (\\S+?)\\.?(?:\\s|$)");
    private static final Pattern EMPTY_DIR_LIMIT = Pattern.compile("Usage of EmptyDir volume \"([^\"]*)\" exceeds the limit \"([^\"]*)\"");

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
        FindingBuilder b = ContainerFindings.forPod(ID, IncidentTypes.EVICTED, Severity.MEDIUM, pod, "Evicted");
        if (message != null) {
            // The kubelet's wording: node pressure names the starved resource; a local limit names the container,
            // the pod or the emptyDir that went over it (all three are ephemeral storage, never memory).
            Matcher m;
            if ((m = LOW_ON.matcher(message)).find()) {
                b.fact("evictionResource", m.group(1)).fact("evictionScope", "node-pressure");
            } else if ((m = CONTAINER_LIMIT.matcher(message)).find()) {
                b.fact("evictionResource", "ephemeral-storage").fact("evictionScope", "container-limit")
                        .fact("evictedContainer", m.group(1)).fact("limit", m.group(2));
            } else if ((m = POD_LIMIT.matcher(message)).find()) {
                b.fact("evictionResource", "ephemeral-storage").fact("evictionScope", "pod-limit").fact("limit", m.group(1));
            } else if ((m = EMPTY_DIR_LIMIT.matcher(message)).find()) {
                b.fact("evictionResource", "ephemeral-storage").fact("evictionScope", "emptydir-limit")
                        .fact("volume", m.group(1)).fact("limit", m.group(2));
            }
        }
        return List.of(b
                .fact("message", message)
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

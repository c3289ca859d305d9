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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pods Pending with PodScheduled=False/Unschedulable for longer than {@code detection.pending_threshold}
 * (from the condition's transition time), with the scheduler's message and what it lacks.
 */
public final class UnschedulableDetector implements Detector {

    public static final String ID = "unschedulable";

    private static final Pattern INSUFFICIENT = Pattern.compile("Insufficient ([A-Za-z0-9./_-]+)");

    private final DetectionConfig config;

    public UnschedulableDetector(DetectionConfig config) {
        this.config = config;
    }

    public UnschedulableDetector() {
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
        return Set.of(IncidentTypes.UNSCHEDULABLE);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Pod pod) || Pods.terminating(pod) || !"Pending".equals(Pods.phase(pod))) {
            return Detector.none();
        }
        Optional<V1PodCondition> scheduled = Pods.condition(pod, "PodScheduled");
        if (scheduled.isEmpty() || !"False".equals(scheduled.get().getStatus())
                || !"Unschedulable".equals(scheduled.get().getReason())) {
            return Detector.none();
        }
        Instant now = context.now();
        Instant since = Refs.instant(scheduled.get().getLastTransitionTime());
        if (since == null) since = Refs.created(pod);
        if (!Conditions.olderThan(since, now, config.pendingThreshold())) return Detector.none();
        String message = scheduled.get().getMessage();
        Set<String> insufficient = new LinkedHashSet<>();
        if (message != null) {
            Matcher m = INSUFFICIENT.matcher(message);
            while (m.find()) insufficient.add(m.group(1).replaceAll("[.]+$", "")); // "Insufficient memory."
        }
        return List.of(ContainerFindings.forPod(ID, IncidentTypes.UNSCHEDULABLE, Severity.MEDIUM, pod, "Unschedulable")
                .fact("message", message)
                .fact("insufficientResources", String.join(",", insufficient))
                .fact("pendingMinutes", Conditions.minutesBetween(since, now))
                .observedAt(since)
                .message("pod " + pod.getMetadata().getName() + " has been unschedulable for "
                        + Conditions.minutesBetween(since, now) + " min" + ContainerFindings.suffix(message))
                .build(now));
    }
}

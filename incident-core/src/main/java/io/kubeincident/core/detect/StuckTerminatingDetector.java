package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Pod;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Pods still present {@code detection.terminating_threshold} after their deletion deadline. The API
 * server sets {@code deletionTimestamp} to the request time plus the grace period, so the deadline is
 * that timestamp; a finalizer or an unreachable kubelet usually holds them.
 */
public final class StuckTerminatingDetector implements Detector {

    public static final String ID = "stuck-terminating";

    private final DetectionConfig config;

    public StuckTerminatingDetector(DetectionConfig config) {
        this.config = config;
    }

    public StuckTerminatingDetector() {
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
        return Set.of(IncidentTypes.STUCK_TERMINATING);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Pod pod) || !Pods.terminating(pod)) return Detector.none();
        Instant now = context.now();
        Instant deadline = Refs.instant(pod.getMetadata().getDeletionTimestamp());
        if (!Conditions.olderThan(deadline, now, config.terminatingThreshold())) return Detector.none();
        List<String> finalizers = pod.getMetadata().getFinalizers() == null ? List.of() : pod.getMetadata().getFinalizers();
        return List.of(FindingBuilder.of(ID, IncidentTypes.STUCK_TERMINATING, Severity.MEDIUM, Refs.of(pod))
                .facts(Pods.podFacts(pod))
                .fact("reason", "Terminating")
                .fact("finalizers", String.join(",", finalizers))
                .fact("gracePeriodSeconds", pod.getMetadata().getDeletionGracePeriodSeconds())
                .fact("minutesPastDeadline", Conditions.minutesBetween(deadline, now))
                .observedAt(deadline)
                .message("pod " + pod.getMetadata().getName() + " has been terminating for "
                        + Conditions.minutesBetween(deadline, now) + " min past its deadline"
                        + (finalizers.isEmpty() ? "" : " (finalizers: " + String.join(", ", finalizers) + ")"))
                .build(now));
    }
}

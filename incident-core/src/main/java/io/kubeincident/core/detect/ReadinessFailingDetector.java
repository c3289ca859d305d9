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
import io.kubernetes.client.openapi.models.V1PodCondition;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Pods whose containers all run but are not ready for longer than {@code detection.readiness_threshold}
 * (from the Ready condition's transition), with the latest probe failure from the Unhealthy events.
 * Pods held back only by readiness gates, crash-looping or waiting containers are left to others.
 */
public final class ReadinessFailingDetector implements Detector {

    public static final String ID = "readiness-failing";

    private final DetectionConfig config;

    public ReadinessFailingDetector(DetectionConfig config) {
        this.config = config;
    }

    public ReadinessFailingDetector() {
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
        return Set.of(IncidentTypes.READINESS_FAILING);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Pod pod) || Pods.terminating(pod) || !"Running".equals(Pods.phase(pod))) {
            return Detector.none();
        }
        Optional<V1PodCondition> ready = Pods.condition(pod, "Ready");
        if (ready.isEmpty() || !"False".equals(ready.get().getStatus())) return Detector.none();
        Optional<V1PodCondition> containersReady = Pods.condition(pod, "ContainersReady");
        if (containersReady.isPresent() && "True".equals(containersReady.get().getStatus())) {
            return Detector.none(); // readiness gates, not probes
        }
        Pods.Container notReady = null;
        for (Pods.Container c : Pods.containers(pod)) {
            if (c.init()) continue;
            if (!c.running()) return Detector.none(); // waiting or terminated: another detector's business
            if (!Boolean.TRUE.equals(c.status().getReady()) && notReady == null) notReady = c;
        }
        if (notReady == null) return Detector.none();
        Instant now = context.now();
        Instant since = Refs.instant(ready.get().getLastTransitionTime());
        if (since == null) since = Pods.startTime(pod);
        if (!Conditions.olderThan(since, now, config.readinessThreshold())) return Detector.none();
        CoreV1Event probe = null;
        int failures = 0;
        for (CoreV1Event e : Pods.warningEvents(context.cluster(), pod)) {
            if ("Unhealthy".equals(e.getReason()) && e.getMessage() != null && e.getMessage().startsWith("Readiness")) {
                if (probe == null) probe = e;
                failures += Pods.eventCount(e);
            }
        }
        String message = probe != null ? probe.getMessage() : ready.get().getMessage();
        String reason = probe != null ? "ReadinessProbeFailed" : ready.get().getReason();
        return List.of(ContainerFindings.forContainer(ID, IncidentTypes.READINESS_FAILING, Severity.MEDIUM, pod, notReady, reason)
                .fact("message", message)
                .fact("probeFailures", failures > 0 ? failures : null)
                .fact("notReadyMinutes", Conditions.minutesBetween(since, now))
                .observedAt(since)
                .message("container " + notReady.name() + " of pod " + pod.getMetadata().getName()
                        + " has been running but not ready for " + Conditions.minutesBetween(since, now) + " min"
                        + ContainerFindings.suffix(message))
                .build(now));
    }
}

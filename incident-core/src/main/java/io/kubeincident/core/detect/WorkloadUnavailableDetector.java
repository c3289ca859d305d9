package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1StatefulSet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * StatefulSets and DaemonSets with fewer ready pods than desired for longer than
 * {@code detection.workload_unavailable_threshold}. Neither kind has a timestamp for readiness, so the
 * age comes from their pods' Ready transitions, or from FailedCreate events when pods are missing; a pod
 * that is merely being replaced right now has neither and is not reported.
 */
public final class WorkloadUnavailableDetector implements Detector {

    public static final String ID = "workload-unavailable";

    private final DetectionConfig config;

    public WorkloadUnavailableDetector(DetectionConfig config) {
        this.config = config;
    }

    public WorkloadUnavailableDetector() {
        this(DetectionConfig.defaults());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> kinds() {
        return Set.of("StatefulSet", "DaemonSet");
    }

    @Override
    public Set<String> incidentTypes() {
        return Set.of(IncidentTypes.WORKLOAD_UNAVAILABLE);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        int desired;
        int ready;
        if (object instanceof V1StatefulSet sts) {
            if (sts.getSpec() == null || sts.getStatus() == null) return Detector.none();
            desired = sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
            ready = sts.getStatus().getReadyReplicas() == null ? 0 : sts.getStatus().getReadyReplicas();
        } else if (object instanceof V1DaemonSet ds) {
            if (ds.getStatus() == null) return Detector.none();
            desired = ds.getStatus().getDesiredNumberScheduled() == null ? 0 : ds.getStatus().getDesiredNumberScheduled();
            ready = ds.getStatus().getNumberReady() == null ? 0 : ds.getStatus().getNumberReady();
        } else {
            return Detector.none();
        }
        if (desired == 0 || ready >= desired) return Detector.none();
        Instant now = context.now();
        ClusterView view = context.cluster();
        String uid = object.getMetadata().getUid();
        List<V1Pod> pods = uid == null ? List.of() : view.ownedBy(V1Pod.class, uid);
        Instant since = null;
        List<String> notReady = new ArrayList<>();
        String podReason = null;
        for (V1Pod p : pods) {
            if (Pods.terminating(p)) continue;
            V1PodCondition r = Pods.condition(p, "Ready").orElse(null);
            if (r != null && "True".equals(r.getStatus())) continue;
            notReady.add(p.getMetadata().getName());
            Instant t = Pods.notReadySince(p);
            if (t != null && (since == null || t.isBefore(since))) since = t;
            for (Pods.Container c : Pods.containers(p)) {
                if (podReason == null && c.waitingReason() != null) podReason = c.waitingReason();
            }
        }
        int live = (int) pods.stream().filter(p -> !Pods.terminating(p)).count();
        if (live < desired) {
            // Missing pods: only the controller's FailedCreate events say since when.
            for (CoreV1Event e : view.eventsFor(Refs.of(object))) {
                if (!"FailedCreate".equals(e.getReason())) continue;
                Instant first = e.getFirstTimestamp() != null ? Refs.instant(e.getFirstTimestamp()) : Pods.eventTime(e);
                if (first != null && (since == null || first.isBefore(since))) since = first;
                if (podReason == null) podReason = "FailedCreate";
            }
        }
        if (!Conditions.olderThan(since, now, config.workloadUnavailableThreshold())) return Detector.none();
        String kind = object instanceof V1StatefulSet ? "StatefulSet" : "DaemonSet";
        return List.of(FindingBuilder.of(ID, IncidentTypes.WORKLOAD_UNAVAILABLE,
                        ready == 0 ? Severity.HIGH : Severity.MEDIUM, Refs.of(object))
                .fact("reason", podReason == null ? "NotReady" : podReason)
                .fact("replicas", desired)
                .fact("readyReplicas", ready)
                .fact("notReadyPods", String.join(",", notReady.stream().sorted().limit(10).toList()))
                .fact("notReadyMinutes", Conditions.minutesBetween(since, now))
                .observedAt(since)
                .message(kind.toLowerCase() + " " + object.getMetadata().getName() + " has " + ready + "/" + desired
                        + " ready pods for " + Conditions.minutesBetween(since, now) + " min"
                        + (podReason == null ? "" : " (" + podReason + ")"))
                .build(now));
    }
}

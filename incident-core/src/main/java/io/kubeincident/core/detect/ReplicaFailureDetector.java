package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetCondition;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * ReplicaSets that cannot create pods (ReplicaFailure=True, usually FailedCreate: quota, admission
 * webhooks, pod security), with the message of the condition or of the latest FailedCreate event.
 */
public final class ReplicaFailureDetector implements Detector {

    public static final String ID = "replica-failure";

    public ReplicaFailureDetector(DetectionConfig config) {
    }

    public ReplicaFailureDetector() {
        this(DetectionConfig.defaults());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> kinds() {
        return Set.of("ReplicaSet");
    }

    @Override
    public Set<String> incidentTypes() {
        return Set.of(IncidentTypes.REPLICA_FAILURE);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1ReplicaSet rs) || rs.getStatus() == null || rs.getSpec() == null) return Detector.none();
        int desired = rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
        if (desired == 0) return Detector.none();
        Optional<V1ReplicaSetCondition> failure = Conditions.find(rs.getStatus().getConditions(),
                V1ReplicaSetCondition::getType, "ReplicaFailure");
        if (failure.isEmpty() || !"True".equals(failure.get().getStatus())) return Detector.none();
        Instant now = context.now();
        String message = failure.get().getMessage();
        if (message == null || message.isBlank()) {
            message = context.cluster().eventsFor(Refs.of(rs)).stream()
                    .filter(e -> "FailedCreate".equals(e.getReason()))
                    .max(Comparator.comparing(Pods::eventTime, Comparator.nullsFirst(Comparator.naturalOrder())))
                    .map(CoreV1Event::getMessage).orElse(null);
        }
        int current = rs.getStatus().getReplicas() == null ? 0 : rs.getStatus().getReplicas();
        String reason = failure.get().getReason() == null ? "FailedCreate" : failure.get().getReason();
        FindingBuilder b = FindingBuilder.of(ID, IncidentTypes.REPLICA_FAILURE, Severity.HIGH, Refs.of(rs))
                .fact("reason", reason)
                .fact("message", message)
                .fact("replicas", desired)
                .fact("currentReplicas", current)
                .fact("quotaExceeded", message != null && message.contains("exceeded quota") ? "true" : null)
                .observedAt(Refs.instant(failure.get().getLastTransitionTime()))
                .message("replicaset " + rs.getMetadata().getName() + " cannot create pods (" + reason + ", "
                        + current + "/" + desired + ")" + (message == null ? "" : ": " + message));
        Refs.controller(rs).ifPresent(o -> b.fact("ownerKind", o.getKind()).fact("ownerName", o.getName()));
        return List.of(b.build(now));
    }
}

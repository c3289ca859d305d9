package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Deployments whose rollout does not finish: Progressing=False with ProgressDeadlineExceeded (at once),
 * or Available=False for longer than {@code detection.rollout_unavailable_threshold}. Paused and
 * scaled-to-zero Deployments are left alone.
 */
public final class RolloutStuckDetector implements Detector {

    public static final String ID = "rollout-stuck";

    private final DetectionConfig config;

    public RolloutStuckDetector(DetectionConfig config) {
        this.config = config;
    }

    public RolloutStuckDetector() {
        this(DetectionConfig.defaults());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> kinds() {
        return Set.of("Deployment");
    }

    @Override
    public Set<String> incidentTypes() {
        return Set.of(IncidentTypes.ROLLOUT_STUCK);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Deployment d) || d.getSpec() == null || d.getStatus() == null) return Detector.none();
        if (Boolean.TRUE.equals(d.getSpec().getPaused())) return Detector.none();
        int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        if (desired == 0) return Detector.none();
        V1DeploymentStatus s = d.getStatus();
        Instant now = context.now();
        Optional<V1DeploymentCondition> progressing = Conditions.find(s.getConditions(), V1DeploymentCondition::getType, "Progressing");
        Optional<V1DeploymentCondition> available = Conditions.find(s.getConditions(), V1DeploymentCondition::getType, "Available");
        V1DeploymentCondition cause = null;
        if (progressing.isPresent() && "False".equals(progressing.get().getStatus())
                && "ProgressDeadlineExceeded".equals(progressing.get().getReason())) {
            cause = progressing.get();
        } else if (available.isPresent() && "False".equals(available.get().getStatus())
                && Conditions.olderThan(Refs.instant(available.get().getLastTransitionTime()), now,
                config.rolloutUnavailableThreshold())) {
            cause = available.get();
        }
        if (cause == null) return Detector.none();
        int availableReplicas = s.getAvailableReplicas() == null ? 0 : s.getAvailableReplicas();
        Instant since = Refs.instant(cause.getLastTransitionTime());
        Map<String, String> annotations = d.getMetadata().getAnnotations();
        List<V1Container> containers = d.getSpec().getTemplate() == null || d.getSpec().getTemplate().getSpec() == null
                ? List.of() : d.getSpec().getTemplate().getSpec().getContainers();
        return List.of(FindingBuilder.of(ID, IncidentTypes.ROLLOUT_STUCK,
                        availableReplicas == 0 ? Severity.HIGH : Severity.MEDIUM, Refs.of(d))
                .fact("reason", cause.getReason())
                .fact("message", cause.getMessage())
                .fact("condition." + cause.getType(), cause.getStatus())
                .fact("replicas", desired)
                .fact("updatedReplicas", zero(s.getUpdatedReplicas()))
                .fact("readyReplicas", zero(s.getReadyReplicas()))
                .fact("availableReplicas", availableReplicas)
                .fact("unavailableReplicas", zero(s.getUnavailableReplicas()))
                .fact("revision", annotations == null ? null : annotations.get("deployment.kubernetes.io/revision"))
                .fact("image", containers == null || containers.isEmpty() ? null : containers.get(0).getImage())
                .observedAt(since)
                .message("deployment " + d.getMetadata().getName() + " rollout is stuck: " + cause.getReason()
                        + " (" + availableReplicas + "/" + desired + " available)"
                        + (cause.getMessage() == null ? "" : ": " + cause.getMessage()))
                .build(now));
    }

    private static int zero(Integer i) {
        return i == null ? 0 : i;
    }
}

package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerCondition;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * HorizontalPodAutoscalers that cannot act, for longer than {@code detection.hpa_cannot_act_threshold}:
 * {@code AbleToScale=False} (reading or updating the target's scale fails: {@value IncidentTypes#HPA_CANNOT_SCALE})
 * or {@code ScalingActive=False} (no replica count can be computed: missing requests, metrics API down, bad
 * selector: {@value IncidentTypes#HPA_METRICS_UNAVAILABLE}). Quiet for ScalingActive=False with reason
 * ScalingDisabled (the target was scaled to zero on purpose) and when the scale target does not exist (that
 * configuration defect is {@link HpaTargetMissingDetector}'s).
 */
public final class HpaCannotActDetector implements Detector {

    public static final String ID = "hpa-cannot-act";

    private final DetectionConfig config;

    public HpaCannotActDetector(DetectionConfig config) {
        this.config = config;
    }

    public HpaCannotActDetector() {
        this(DetectionConfig.defaults());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> kinds() {
        return Set.of("HorizontalPodAutoscaler");
    }

    @Override
    public Set<String> incidentTypes() {
        return Set.of(IncidentTypes.HPA_CANNOT_SCALE, IncidentTypes.HPA_METRICS_UNAVAILABLE);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V2HorizontalPodAutoscaler hpa) || hpa.getSpec() == null || hpa.getStatus() == null) {
            return Detector.none();
        }
        Instant now = context.now();
        Optional<V2HorizontalPodAutoscalerCondition> able = Hpas.isFalse(hpa, "AbleToScale")
                .filter(c -> Conditions.olderThan(Hpas.since(c, hpa), now, config.hpaCannotActThreshold()));
        Optional<V2HorizontalPodAutoscalerCondition> active = Hpas.isFalse(hpa, "ScalingActive")
                .filter(c -> !"ScalingDisabled".equals(c.getReason()))
                .filter(c -> Conditions.olderThan(Hpas.since(c, hpa), now, config.hpaCannotActThreshold()));
        if (able.isEmpty() && active.isEmpty()) return Detector.none();
        if (Hpas.targetMissing(hpa, context.cluster()).orElse(false)) return Detector.none();
        boolean cannotScale = able.isPresent();
        V2HorizontalPodAutoscalerCondition cause = cannotScale ? able.get() : active.get();
        String type = cannotScale ? IncidentTypes.HPA_CANNOT_SCALE : IncidentTypes.HPA_METRICS_UNAVAILABLE;
        String reason = cause.getReason() != null ? cause.getReason() : cannotScale ? "FailedUpdateScale" : "MetricsUnavailable";
        FindingBuilder b = FindingBuilder.of(ID, type, Severity.MEDIUM, Refs.of(hpa))
                .fact("reason", reason)
                .fact("condition", cause.getType())
                .fact("message", cause.getMessage())
                .observedAt(Hpas.since(cause, hpa));
        Hpas.facts(b, hpa);
        active.filter(c -> cannotScale).ifPresent(c -> b.fact("scalingActiveReason", c.getReason()));
        return List.of(b.message("horizontalpodautoscaler " + hpa.getMetadata().getName()
                        + (cannotScale ? " cannot scale its target (AbleToScale=False, " : " cannot compute a replica count (ScalingActive=False, ")
                        + reason + ")" + ContainerFindings.suffix(cause.getMessage()))
                .build(now));
    }
}

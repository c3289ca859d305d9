package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Configuration defect: a HorizontalPodAutoscaler whose scale target does not exist (not in the cache of a
 * watched kind, or the controller's FailedGetScale "not found" for other kinds), once the autoscaler is older
 * than {@code detection.missing_reference_threshold} (younger ones may be mid-apply). Low severity, never acted on.
 */
public final class HpaTargetMissingDetector implements Detector {

    public static final String ID = "hpa-target-missing";

    private final DetectionConfig config;

    public HpaTargetMissingDetector(DetectionConfig config) {
        this.config = config;
    }

    public HpaTargetMissingDetector() {
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
        return Set.of(IncidentTypes.HPA_TARGET_MISSING);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V2HorizontalPodAutoscaler hpa) || hpa.getSpec() == null
                || hpa.getSpec().getScaleTargetRef() == null || hpa.getMetadata().getDeletionTimestamp() != null) {
            return Detector.none();
        }
        Instant now = context.now();
        if (!Conditions.olderThan(Refs.created(hpa), now, config.missingReferenceThreshold())) return Detector.none();
        if (!Hpas.targetMissing(hpa, context.cluster()).orElse(false)) return Detector.none();
        String target = hpa.getSpec().getScaleTargetRef().getKind() + " " + hpa.getSpec().getScaleTargetRef().getName();
        FindingBuilder b = FindingBuilder.of(ID, IncidentTypes.HPA_TARGET_MISSING, Severity.LOW, Refs.of(hpa))
                .fact("reason", "ScaleTargetNotFound")
                .fact("message", Hpas.isFalse(hpa, "AbleToScale").map(c -> c.getMessage()).orElse(null));
        Hpas.facts(b, hpa);
        return List.of(b.message("horizontalpodautoscaler " + hpa.getMetadata().getName() + " scales " + target
                        + ", which does not exist in namespace " + hpa.getMetadata().getNamespace())
                .build(now));
    }
}

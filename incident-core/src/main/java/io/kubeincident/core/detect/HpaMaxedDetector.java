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
import io.kubernetes.client.openapi.models.V2MetricSpec;
import io.kubernetes.client.openapi.models.V2MetricStatus;
import io.kubernetes.client.openapi.models.V2MetricValueStatus;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * HorizontalPodAutoscalers pinned at maxReplicas while a metric is above its target (ScalingLimited=True,
 * TooManyReplicas) for longer than {@code detection.hpa_maxed_threshold}. An autoscaler that cannot act at all
 * (AbleToScale=False, ScalingActive=False) is {@link HpaCannotActDetector}'s, with its own incident types.
 */
public final class HpaMaxedDetector implements Detector {

    public static final String ID = "hpa-maxed";

    private final DetectionConfig config;

    public HpaMaxedDetector(DetectionConfig config) {
        this.config = config;
    }

    public HpaMaxedDetector() {
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
        return Set.of(IncidentTypes.HPA_MAXED);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V2HorizontalPodAutoscaler hpa) || hpa.getSpec() == null || hpa.getStatus() == null) {
            return Detector.none();
        }
        Instant now = context.now();
        List<V2HorizontalPodAutoscalerCondition> conditions = hpa.getStatus().getConditions();
        Optional<V2HorizontalPodAutoscalerCondition> limited = Conditions.find(conditions,
                V2HorizontalPodAutoscalerCondition::getType, "ScalingLimited");
        int max = hpa.getSpec().getMaxReplicas() == null ? 0 : hpa.getSpec().getMaxReplicas();
        int current = hpa.getStatus().getCurrentReplicas() == null ? 0 : hpa.getStatus().getCurrentReplicas();
        V2HorizontalPodAutoscalerCondition cause = null;
        String metric = null;
        if (max > 0 && current >= max && limited.isPresent() && "True".equals(limited.get().getStatus())
                && Conditions.olderThan(Refs.instant(limited.get().getLastTransitionTime()), now, config.hpaMaxedThreshold())) {
            // TooManyReplicas: the metrics ask for more than maxReplicas, whatever kind of metric it is.
            metric = metricAboveTarget(hpa);
            if (metric != null || "TooManyReplicas".equals(limited.get().getReason())) cause = limited.get();
        }
        if (cause == null) return Detector.none();
        FindingBuilder b = FindingBuilder.of(ID, IncidentTypes.HPA_MAXED, Severity.MEDIUM, Refs.of(hpa))
                .fact("reason", "MaxReplicasReached")
                .fact("message", cause.getMessage())
                .fact("maxReplicas", max)
                .fact("minReplicas", hpa.getSpec().getMinReplicas())
                .fact("currentReplicas", current)
                .fact("desiredReplicas", hpa.getStatus().getDesiredReplicas())
                .fact("metric", metric)
                .observedAt(Refs.instant(cause.getLastTransitionTime()));
        if (hpa.getSpec().getScaleTargetRef() != null) {
            b.fact("targetKind", hpa.getSpec().getScaleTargetRef().getKind())
                    .fact("targetName", hpa.getSpec().getScaleTargetRef().getName());
        }
        b.message("horizontalpodautoscaler " + hpa.getMetadata().getName() + " is pinned at maxReplicas " + max
                + (metric == null ? " above its target" : " with " + metric)
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        return List.of(b.build(now));
    }

    /** {@code cpu 180% > 70%} for the first resource metric above its utilization target, else null. */
    static String metricAboveTarget(V2HorizontalPodAutoscaler hpa) {
        List<V2MetricSpec> specs = hpa.getSpec().getMetrics();
        List<V2MetricStatus> current = hpa.getStatus().getCurrentMetrics();
        if (specs == null || current == null) return null;
        for (V2MetricSpec spec : specs) {
            if (spec.getResource() == null || spec.getResource().getTarget() == null) continue;
            Integer target = spec.getResource().getTarget().getAverageUtilization();
            String name = spec.getResource().getName();
            if (target == null) continue;
            for (V2MetricStatus s : current) {
                if (s.getResource() == null || !name.equals(s.getResource().getName())) continue;
                V2MetricValueStatus v = s.getResource().getCurrent();
                if (v != null && v.getAverageUtilization() != null && v.getAverageUtilization() > target) {
                    return name + " " + v.getAverageUtilization() + "% > " + target + "%";
                }
            }
        }
        return null;
    }
}

package io.kubeincident.core.detect;

import io.kubeincident.core.monitor.Refs;
import io.kubeincident.core.monitor.WatchedKind;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V2CrossVersionObjectReference;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerCondition;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/** What the autoscaler detectors read from a HorizontalPodAutoscaler. */
final class Hpas {

    /** The HPA controller's words when the scale subresource of its target does not exist. */
    private static final Pattern SCALE_NOT_FOUND = Pattern.compile("(?i)unable to get the target's current scale:.*not found");

    private Hpas() {
    }

    static Optional<V2HorizontalPodAutoscalerCondition> condition(V2HorizontalPodAutoscaler hpa, String type) {
        return hpa.getStatus() == null ? Optional.empty()
                : Conditions.find(hpa.getStatus().getConditions(), V2HorizontalPodAutoscalerCondition::getType, type);
    }

    static Optional<V2HorizontalPodAutoscalerCondition> isFalse(V2HorizontalPodAutoscaler hpa, String type) {
        return condition(hpa, type).filter(c -> "False".equals(c.getStatus()));
    }

    static Instant since(V2HorizontalPodAutoscalerCondition c, V2HorizontalPodAutoscaler hpa) {
        Instant t = Refs.instant(c.getLastTransitionTime());
        return t != null ? t : Refs.created(hpa);
    }

    /**
     * Whether the scale target is known to be missing: absent from the cache of a watched kind (Deployment,
     * StatefulSet, ReplicaSet), or, for kinds the engine does not watch, the controller's FailedGetScale
     * "not found". Empty when it cannot be told.
     */
    static Optional<Boolean> targetMissing(V2HorizontalPodAutoscaler hpa, ClusterView view) {
        V2CrossVersionObjectReference ref = hpa.getSpec() == null ? null : hpa.getSpec().getScaleTargetRef();
        if (ref == null || ref.getKind() == null || ref.getName() == null) return Optional.empty();
        Optional<WatchedKind> kind = WatchedKind.ofKind(ref.getKind())
                .filter(k -> ref.getApiVersion() == null || group(ref.getApiVersion()).equals(k.group()));
        if (kind.isPresent() && view.available(kind.get().type())) {
            Class<? extends KubernetesObject> type = kind.get().type();
            return Optional.of(view.get(type, hpa.getMetadata().getNamespace(), ref.getName()).isEmpty());
        }
        boolean notFound = isFalse(hpa, "AbleToScale").map(c -> "FailedGetScale".equals(c.getReason())
                && c.getMessage() != null && SCALE_NOT_FOUND.matcher(c.getMessage()).find()).orElse(false);
        return notFound ? Optional.of(true) : Optional.empty();
    }

    private static String group(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    /** Spec and status numbers and the target, the facts every autoscaler finding carries. */
    static FindingBuilder facts(FindingBuilder b, V2HorizontalPodAutoscaler hpa) {
        b.fact("maxReplicas", hpa.getSpec().getMaxReplicas())
                .fact("minReplicas", hpa.getSpec().getMinReplicas());
        if (hpa.getStatus() != null) {
            b.fact("currentReplicas", hpa.getStatus().getCurrentReplicas())
                    .fact("desiredReplicas", hpa.getStatus().getDesiredReplicas());
        }
        V2CrossVersionObjectReference ref = hpa.getSpec().getScaleTargetRef();
        if (ref != null) {
            b.fact("targetKind", ref.getKind()).fact("targetName", ref.getName()).fact("targetApiVersion", ref.getApiVersion());
        }
        return b;
    }
}

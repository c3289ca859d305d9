package io.kubeincident.core.detect;

import io.kubeincident.core.monitor.Refs;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1Taint;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the node detectors read from a node. */
final class Nodes {

    /** Set by the cluster autoscaler on a node it is removing: NotReady then is expected. */
    static final String AUTOSCALER_DELETE_TAINT = "ToBeDeletedByClusterAutoscaler";

    private Nodes() {
    }

    static List<V1NodeCondition> conditions(V1Node node) {
        return node.getStatus() == null || node.getStatus().getConditions() == null ? List.of()
                : node.getStatus().getConditions();
    }

    static Optional<V1NodeCondition> condition(V1Node node, String type) {
        return Conditions.find(conditions(node), V1NodeCondition::getType, type);
    }

    static Instant since(V1NodeCondition c, V1Node node) {
        Instant t = Refs.instant(c.getLastTransitionTime());
        return t != null ? t : Refs.created(node);
    }

    /** {@code condition.<Type>} = status for every condition, plus cordon state. */
    static Map<String, String> facts(V1Node node) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("nodeName", node.getMetadata().getName());
        for (V1NodeCondition c : conditions(node)) {
            if (c.getType() != null && c.getStatus() != null) f.put("condition." + c.getType(), c.getStatus());
        }
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) f.put("unschedulable", "true");
        return f;
    }

    static boolean beingRemovedByAutoscaler(V1Node node) {
        if (node.getSpec() == null || node.getSpec().getTaints() == null) return false;
        for (V1Taint t : node.getSpec().getTaints()) {
            if (AUTOSCALER_DELETE_TAINT.equals(t.getKey())) return true;
        }
        return false;
    }
}

package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeCondition;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Nodes whose Ready condition is False or Unknown, or whose NetworkUnavailable is True, for longer than
 * {@code detection.node_not_ready_threshold}. A node the cluster autoscaler is removing is expected to go
 * away; a cordoned node is reported with lower severity (likely maintenance).
 */
public final class NodeNotReadyDetector implements Detector {

    public static final String ID = "node-not-ready";

    private final DetectionConfig config;

    public NodeNotReadyDetector(DetectionConfig config) {
        this.config = config;
    }

    public NodeNotReadyDetector() {
        this(DetectionConfig.defaults());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> kinds() {
        return Set.of("Node");
    }

    @Override
    public Set<String> incidentTypes() {
        return Set.of(IncidentTypes.NODE_NOT_READY);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Node node) || Nodes.beingRemovedByAutoscaler(node)) return Detector.none();
        Instant now = context.now();
        V1NodeCondition cause = null;
        Optional<V1NodeCondition> ready = Nodes.condition(node, "Ready");
        if (ready.isPresent() && !"True".equals(ready.get().getStatus())
                && Conditions.olderThan(Nodes.since(ready.get(), node), now, config.nodeNotReadyThreshold())) {
            cause = ready.get();
        }
        Optional<V1NodeCondition> network = Nodes.condition(node, "NetworkUnavailable");
        if (cause == null && network.isPresent() && "True".equals(network.get().getStatus())
                && Conditions.olderThan(Nodes.since(network.get(), node), now, config.nodeNotReadyThreshold())) {
            cause = network.get();
        }
        if (cause == null) return Detector.none();
        boolean cordoned = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        Instant since = Nodes.since(cause, node);
        String name = node.getMetadata().getName();
        String what = cause.getType().equals("Ready") ? "Ready=" + cause.getStatus() : cause.getType();
        return List.of(FindingBuilder.of(ID, IncidentTypes.NODE_NOT_READY, cordoned ? Severity.MEDIUM : Severity.CRITICAL,
                        Refs.of(node))
                .facts(Nodes.facts(node))
                .fact("reason", cause.getReason())
                .fact("message", cause.getMessage())
                .fact("podCount", context.cluster().podsOnNode(name).size())
                .fact("notReadyMinutes", Conditions.minutesBetween(since, now))
                .observedAt(since)
                .message("node " + name + " is not ready (" + what
                        + (cause.getReason() == null ? "" : ", " + cause.getReason()) + ") for "
                        + Conditions.minutesBetween(since, now) + " min"
                        + (cause.getMessage() == null ? "" : ": " + cause.getMessage()))
                .build(now));
    }
}

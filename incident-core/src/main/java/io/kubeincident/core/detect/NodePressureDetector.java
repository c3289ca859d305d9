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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Nodes under MemoryPressure, DiskPressure or PIDPressure for longer than {@code detection.node_pressure_threshold}. */
public final class NodePressureDetector implements Detector {

    public static final String ID = "node-pressure";

    private static final List<String> PRESSURES = List.of("MemoryPressure", "DiskPressure", "PIDPressure");

    private final DetectionConfig config;

    public NodePressureDetector(DetectionConfig config) {
        this.config = config;
    }

    public NodePressureDetector() {
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
        return Set.of(IncidentTypes.NODE_PRESSURE);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Node node)) return Detector.none();
        Instant now = context.now();
        List<V1NodeCondition> under = new ArrayList<>();
        for (String type : PRESSURES) {
            Nodes.condition(node, type).filter(c -> "True".equals(c.getStatus()))
                    .filter(c -> Conditions.olderThan(Nodes.since(c, node), now, config.nodePressureThreshold()))
                    .ifPresent(under::add);
        }
        if (under.isEmpty()) return Detector.none();
        V1NodeCondition first = under.get(0);
        List<String> types = under.stream().map(V1NodeCondition::getType).toList();
        String name = node.getMetadata().getName();
        return List.of(FindingBuilder.of(ID, IncidentTypes.NODE_PRESSURE, Severity.HIGH, Refs.of(node))
                .facts(Nodes.facts(node))
                .fact("pressure", String.join(",", types))
                .fact("reason", first.getReason())
                .fact("message", first.getMessage())
                .fact("podCount", context.cluster().podsOnNode(name).size())
                .observedAt(Nodes.since(first, node))
                .message("node " + name + " is under " + String.join(", ", types)
                        + (first.getMessage() == null ? "" : ": " + first.getMessage()))
                .build(now));
    }
}

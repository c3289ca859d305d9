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

/**
 * Node conditions beyond the kubelet's own that are True for longer than {@code detection.node_problem_threshold}:
 * the node-problem-detector's (KernelDeadlock, ReadonlyFilesystem, FrequentKubeletRestart, ...; the set is
 * {@code detection.node_problem_conditions}) at high severity, and any other condition type that is True at
 * low severity unless {@code detection.node_benign_conditions} lists it. The kubelet's conditions (Ready and
 * the pressures) belong to the node-not-ready and node-pressure detectors; a node the cluster autoscaler is
 * removing is not reported.
 */
public final class NodeProblemDetector implements Detector {

    public static final String ID = "node-problem";

    private final DetectionConfig config;

    public NodeProblemDetector(DetectionConfig config) {
        this.config = config;
    }

    public NodeProblemDetector() {
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
        return Set.of(IncidentTypes.NODE_PROBLEM);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Node node) || Nodes.beingRemovedByAutoscaler(node)) return Detector.none();
        Instant now = context.now();
        List<V1NodeCondition> known = new ArrayList<>();
        List<V1NodeCondition> unknown = new ArrayList<>();
        for (V1NodeCondition c : Nodes.conditions(node)) {
            String type = c.getType();
            if (type == null || !"True".equals(c.getStatus()) || DetectionConfig.STANDARD_NODE_CONDITIONS.contains(type)
                    || config.nodeBenignConditions().contains(type)) {
                continue;
            }
            if (!Conditions.olderThan(Nodes.since(c, node), now, config.nodeProblemThreshold())) continue;
            (config.nodeProblemConditions().contains(type) ? known : unknown).add(c);
        }
        if (known.isEmpty() && unknown.isEmpty()) return Detector.none();
        List<V1NodeCondition> all = new ArrayList<>(known);
        all.addAll(unknown);
        V1NodeCondition first = all.get(0);
        List<String> types = all.stream().map(V1NodeCondition::getType).toList();
        String name = node.getMetadata().getName();
        FindingBuilder b = FindingBuilder.of(ID, IncidentTypes.NODE_PROBLEM, known.isEmpty() ? Severity.LOW : Severity.HIGH,
                        Refs.of(node))
                .facts(Nodes.facts(node))
                .fact("problem", String.join(",", types))
                .fact("knownProblem", known.isEmpty() ? "false" : "true")
                .fact("reason", first.getReason())
                .fact("message", first.getMessage())
                .fact("podCount", context.cluster().podsOnNode(name).size())
                .observedAt(Nodes.since(first, node));
        for (V1NodeCondition c : all) b.fact("condition." + c.getType() + ".message", c.getMessage());
        return List.of(b.message("node " + name + " reports " + String.join(", ", types)
                        + (known.isEmpty() ? " (not a known problem condition)" : "")
                        + (first.getMessage() == null ? "" : ": " + first.getMessage()))
                .build(now));
    }
}

package io.kubeincident.core.action;

import io.kubeincident.api.Permission;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Node;

import java.util.ArrayList;
import java.util.List;

/** The node-level limits cordon and drain share: never the last schedulable node, never more than N cordoned at once. */
final class NodeGuard {

    static final Permission GET = Permission.core("nodes", "get");
    static final Permission LIST = Permission.core("nodes", "list");
    static final Permission PATCH = Permission.core("nodes", "patch");

    private NodeGuard() {
    }

    /** Problems with taking {@code nodeName} out of scheduling, judged on the live node list. */
    static List<String> problems(KubeApi kube, ApiClient client, String nodeName, int maxNodesDraining) throws KubeCallException {
        CoreV1Api api = new CoreV1Api(client);
        List<V1Node> nodes = kube.call(LIST, "Nodes", () -> api.listNode().execute()).getItems();
        return problems(nodes, nodeName, maxNodesDraining);
    }

    static List<String> problems(List<V1Node> nodes, String nodeName, int maxNodesDraining) {
        List<String> problems = new ArrayList<>();
        List<String> otherSchedulable = new ArrayList<>();
        List<String> cordoned = new ArrayList<>();
        for (V1Node n : nodes) {
            String name = n.getMetadata().getName();
            if (name.equals(nodeName)) continue;
            if (!Workloads.nodeSchedulable(n)) cordoned.add(name);
            else if (Workloads.nodeReady(n)) otherSchedulable.add(name);
        }
        if (otherSchedulable.isEmpty()) {
            problems.add("refused: Node " + nodeName + " is the last schedulable Ready node; taking it out would leave nowhere to run pods");
        }
        if (cordoned.size() >= maxNodesDraining) {
            problems.add("refused: " + cordoned.size() + " other node(s) already cordoned or draining " + cordoned
                    + "; safety.max_nodes_draining=" + maxNodesDraining);
        }
        return problems;
    }
}

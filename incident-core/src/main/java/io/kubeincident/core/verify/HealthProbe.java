package io.kubeincident.core.verify;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.action.Workloads;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1StatefulSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the health of an incident's root object from a {@link ClusterView}: a Deployment through its
 * ReplicaSets' pods and its status, a StatefulSet, DaemonSet or ReplicaSet through its pods, a pod itself, a
 * node by its Ready condition. Other kinds are "unknown": verification then goes by whether the incident is
 * still detected. Stateless.
 */
public final class HealthProbe {

    private HealthProbe() {
    }

    private static final Set<String> READABLE = Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Node");

    public static HealthSnapshot of(ResourceRef root, ClusterView view) {
        Optional<Class<? extends KubernetesObject>> type = Workloads.typeOf(root.kind());
        if (type.isEmpty() || !READABLE.contains(root.kind())) return HealthSnapshot.unknown(root.kind() + " has no health reading");
        Optional<? extends KubernetesObject> found = view.get(type.get(), root.namespace(), root.name());
        if (found.isEmpty()) return HealthSnapshot.gone(root.toString());
        KubernetesObject o = found.get();
        if (o instanceof V1Node n) {
            boolean ready = Workloads.nodeReady(n);
            return new HealthSnapshot(true, true, 1, ready ? 1 : 0, ready ? 1 : 0, 0, Map.of(),
                    ready ? List.of() : List.of("node " + root.name() + " is not Ready"));
        }
        if (o instanceof V1Pod p) return pods(List.of(p), 1, null);
        String uid = o.getMetadata().getUid();
        if (o instanceof V1Deployment d) {
            List<V1Pod> pods = new ArrayList<>();
            if (uid != null) {
                for (V1ReplicaSet rs : view.ownedBy(V1ReplicaSet.class, uid)) {
                    pods.addAll(view.ownedBy(V1Pod.class, rs.getMetadata().getUid()));
                }
            }
            int desired = d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            Integer available = d.getStatus() == null ? null : d.getStatus().getAvailableReplicas();
            return pods(pods, desired, available == null ? null : available);
        }
        List<V1Pod> pods = uid == null ? List.of() : view.ownedBy(V1Pod.class, uid);
        if (o instanceof V1StatefulSet s) {
            int desired = s.getSpec() == null || s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
            return pods(pods, desired, s.getStatus() == null ? null : s.getStatus().getAvailableReplicas());
        }
        if (o instanceof V1DaemonSet ds) {
            int desired = ds.getStatus() == null || ds.getStatus().getDesiredNumberScheduled() == null
                    ? pods.size() : ds.getStatus().getDesiredNumberScheduled();
            return pods(pods, desired, ds.getStatus() == null ? null : ds.getStatus().getNumberAvailable());
        }
        if (o instanceof V1ReplicaSet rs) {
            int desired = rs.getSpec() == null || rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
            return pods(pods, desired, rs.getStatus() == null ? null : rs.getStatus().getAvailableReplicas());
        }
        return HealthSnapshot.unknown(root.kind() + " has no health reading");
    }

    private static HealthSnapshot pods(List<V1Pod> pods, int desired, Integer statusAvailable) {
        int ready = 0;
        int notReady = 0;
        Map<String, Integer> restarts = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (V1Pod p : pods) {
            if (p.getMetadata().getDeletionTimestamp() != null) continue;
            String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
            if ("Succeeded".equals(phase)) continue;
            if (p.getMetadata().getUid() != null) restarts.put(p.getMetadata().getUid(), Workloads.restarts(p));
            if (Workloads.podReady(p)) {
                ready++;
            } else {
                notReady++;
                problems.add("pod " + p.getMetadata().getName() + " not ready" + waitingReason(p));
            }
        }
        int available = statusAvailable == null ? ready : Math.min(statusAvailable, ready);
        return new HealthSnapshot(true, true, desired, ready, available, notReady, restarts, problems);
    }

    private static String waitingReason(V1Pod p) {
        if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) return "";
        for (V1ContainerStatus cs : p.getStatus().getContainerStatuses()) {
            if (cs.getState() != null && cs.getState().getWaiting() != null && cs.getState().getWaiting().getReason() != null) {
                return " (" + cs.getState().getWaiting().getReason() + ")";
            }
        }
        return "";
    }
}

package io.kubeincident.testkit.scenario;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ReplicaSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Deployment with its ReplicaSets and pods, as created by {@link DeploymentBuilder} (server
 * objects with uids when created on a server).
 *
 * @param deployment  the Deployment
 * @param replicaSets its ReplicaSets, newest revision first
 * @param pods        every pod of every ReplicaSet
 */
public record Workload(V1Deployment deployment, List<V1ReplicaSet> replicaSets, List<V1Pod> pods) {

    public Workload {
        Objects.requireNonNull(deployment, "deployment");
        replicaSets = List.copyOf(replicaSets);
        pods = List.copyOf(pods);
    }

    /** The ReplicaSet of the Deployment's current template (the newest revision). */
    public V1ReplicaSet current() {
        return replicaSets.get(0);
    }

    /** The revision before the current one, if any. */
    public Optional<V1ReplicaSet> previous() {
        return replicaSets.size() > 1 ? Optional.of(replicaSets.get(1)) : Optional.empty();
    }

    public List<V1Pod> podsOf(V1ReplicaSet rs) {
        String uid = rs.getMetadata().getUid();
        String name = rs.getMetadata().getName();
        return pods.stream().filter(p -> {
            List<V1OwnerReference> refs = p.getMetadata().getOwnerReferences();
            if (refs == null) return false;
            return refs.stream().anyMatch(r -> uid != null ? uid.equals(r.getUid()) : name.equals(r.getName()));
        }).toList();
    }

    /**
     * Every object of the workload, Deployment first, then ReplicaSets and pods: what
     * {@code ListClusterView.of(w.objects())} needs for a context in which the owner chain resolves.
     */
    public List<KubernetesObject> objects() {
        List<KubernetesObject> all = new ArrayList<>();
        all.add(deployment);
        all.addAll(replicaSets);
        all.addAll(pods);
        return List.copyOf(all);
    }

    public String namespace() {
        return deployment.getMetadata().getNamespace();
    }

    public String name() {
        return deployment.getMetadata().getName();
    }
}

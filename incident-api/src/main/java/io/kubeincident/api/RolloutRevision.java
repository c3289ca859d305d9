package io.kubeincident.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One revision of a Deployment, as its ReplicaSet shows it.
 *
 * @param revision        the {@code deployment.kubernetes.io/revision} number
 * @param replicaSet      the ReplicaSet holding it
 * @param images          the container images of its template, in container order
 * @param createdAt       when the ReplicaSet was created (≈ when the rollout began), may be null
 * @param readyReplicas   ready replicas it has now
 * @param current         true for the Deployment's current revision
 */
public record RolloutRevision(long revision, ResourceRef replicaSet, List<String> images, Instant createdAt,
                              int readyReplicas, boolean current) {
    public RolloutRevision {
        Objects.requireNonNull(replicaSet, "replicaSet");
        images = images == null ? List.of() : List.copyOf(images);
    }
}

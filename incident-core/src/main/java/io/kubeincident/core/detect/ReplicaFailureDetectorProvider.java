package io.kubeincident.core.detect;

/** Finds {@link ReplicaFailureDetector} through {@code ServiceLoader}. */
public final class ReplicaFailureDetectorProvider extends BuiltInDetectorProvider {
    public ReplicaFailureDetectorProvider() {
        super(ReplicaFailureDetector.ID, ReplicaFailureDetector::new);
    }
}

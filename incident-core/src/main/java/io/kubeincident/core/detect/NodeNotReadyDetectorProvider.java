package io.kubeincident.core.detect;

/** Finds {@link NodeNotReadyDetector} through {@code ServiceLoader}. */
public final class NodeNotReadyDetectorProvider extends BuiltInDetectorProvider {
    public NodeNotReadyDetectorProvider() {
        super(NodeNotReadyDetector.ID, NodeNotReadyDetector::new);
    }
}

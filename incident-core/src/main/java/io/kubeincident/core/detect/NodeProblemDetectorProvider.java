package io.kubeincident.core.detect;

/** Finds {@link NodeProblemDetector} through {@code ServiceLoader}. */
public final class NodeProblemDetectorProvider extends BuiltInDetectorProvider {
    public NodeProblemDetectorProvider() {
        super(NodeProblemDetector.ID, NodeProblemDetector::new);
    }
}

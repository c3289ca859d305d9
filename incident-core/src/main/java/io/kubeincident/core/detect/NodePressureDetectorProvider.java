package io.kubeincident.core.detect;

/** Finds {@link NodePressureDetector} through {@code ServiceLoader}. */
public final class NodePressureDetectorProvider extends BuiltInDetectorProvider {
    public NodePressureDetectorProvider() {
        super(NodePressureDetector.ID, NodePressureDetector::new);
    }
}

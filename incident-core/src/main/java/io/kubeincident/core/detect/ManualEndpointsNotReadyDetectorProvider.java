package io.kubeincident.core.detect;

/** Finds {@link ManualEndpointsNotReadyDetector} through {@code ServiceLoader}. */
public final class ManualEndpointsNotReadyDetectorProvider extends BuiltInDetectorProvider {
    public ManualEndpointsNotReadyDetectorProvider() {
        super(ManualEndpointsNotReadyDetector.ID, ManualEndpointsNotReadyDetector::new);
    }
}

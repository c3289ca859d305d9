package io.kubeincident.core.detect;

/** Finds {@link RolloutStuckDetector} through {@code ServiceLoader}. */
public final class RolloutStuckDetectorProvider extends BuiltInDetectorProvider {
    public RolloutStuckDetectorProvider() {
        super(RolloutStuckDetector.ID, RolloutStuckDetector::new);
    }
}

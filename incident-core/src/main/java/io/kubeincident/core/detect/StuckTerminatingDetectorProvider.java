package io.kubeincident.core.detect;

/** Finds {@link StuckTerminatingDetector} through {@code ServiceLoader}. */
public final class StuckTerminatingDetectorProvider extends BuiltInDetectorProvider {
    public StuckTerminatingDetectorProvider() {
        super(StuckTerminatingDetector.ID, StuckTerminatingDetector::new);
    }
}

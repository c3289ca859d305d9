package io.kubeincident.core.detect;

/** Finds {@link UnschedulableDetector} through {@code ServiceLoader}. */
public final class UnschedulableDetectorProvider extends BuiltInDetectorProvider {
    public UnschedulableDetectorProvider() {
        super(UnschedulableDetector.ID, UnschedulableDetector::new);
    }
}

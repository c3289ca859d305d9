package io.kubeincident.core.detect;

/** Finds {@link GracePeriodExceededDetector} through {@code ServiceLoader}. */
public final class GracePeriodExceededDetectorProvider extends BuiltInDetectorProvider {
    public GracePeriodExceededDetectorProvider() {
        super(GracePeriodExceededDetector.ID, GracePeriodExceededDetector::new);
    }
}

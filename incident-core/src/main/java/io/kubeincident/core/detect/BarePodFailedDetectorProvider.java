package io.kubeincident.core.detect;

/** Finds {@link BarePodFailedDetector} through {@code ServiceLoader}. */
public final class BarePodFailedDetectorProvider extends BuiltInDetectorProvider {
    public BarePodFailedDetectorProvider() {
        super(BarePodFailedDetector.ID, BarePodFailedDetector::new);
    }
}

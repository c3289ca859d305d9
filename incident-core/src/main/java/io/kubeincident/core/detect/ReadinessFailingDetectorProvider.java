package io.kubeincident.core.detect;

/** Finds {@link ReadinessFailingDetector} through {@code ServiceLoader}. */
public final class ReadinessFailingDetectorProvider extends BuiltInDetectorProvider {
    public ReadinessFailingDetectorProvider() {
        super(ReadinessFailingDetector.ID, ReadinessFailingDetector::new);
    }
}

package io.kubeincident.core.detect;

/** Finds {@link PvcPendingDetector} through {@code ServiceLoader}. */
public final class PvcPendingDetectorProvider extends BuiltInDetectorProvider {
    public PvcPendingDetectorProvider() {
        super(PvcPendingDetector.ID, PvcPendingDetector::new);
    }
}

package io.kubeincident.core.detect;

/** Finds {@link PvcLostDetector} through {@code ServiceLoader}. */
public final class PvcLostDetectorProvider extends BuiltInDetectorProvider {
    public PvcLostDetectorProvider() {
        super(PvcLostDetector.ID, PvcLostDetector::new);
    }
}

package io.kubeincident.core.detect;

/** Finds {@link HpaCannotActDetector} through {@code ServiceLoader}. */
public final class HpaCannotActDetectorProvider extends BuiltInDetectorProvider {
    public HpaCannotActDetectorProvider() {
        super(HpaCannotActDetector.ID, HpaCannotActDetector::new);
    }
}

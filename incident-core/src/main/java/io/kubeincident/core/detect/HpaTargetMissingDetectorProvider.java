package io.kubeincident.core.detect;

/** Finds {@link HpaTargetMissingDetector} through {@code ServiceLoader}. */
public final class HpaTargetMissingDetectorProvider extends BuiltInDetectorProvider {
    public HpaTargetMissingDetectorProvider() {
        super(HpaTargetMissingDetector.ID, HpaTargetMissingDetector::new);
    }
}

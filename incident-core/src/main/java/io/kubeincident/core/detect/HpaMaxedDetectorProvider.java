package io.kubeincident.core.detect;

/** Finds {@link HpaMaxedDetector} through {@code ServiceLoader}. */
public final class HpaMaxedDetectorProvider extends BuiltInDetectorProvider {
    public HpaMaxedDetectorProvider() {
        super(HpaMaxedDetector.ID, HpaMaxedDetector::new);
    }
}

package io.kubeincident.core.detect;

/** Finds {@link EvictedDetector} through {@code ServiceLoader}. */
public final class EvictedDetectorProvider extends BuiltInDetectorProvider {
    public EvictedDetectorProvider() {
        super(EvictedDetector.ID, EvictedDetector::new);
    }
}

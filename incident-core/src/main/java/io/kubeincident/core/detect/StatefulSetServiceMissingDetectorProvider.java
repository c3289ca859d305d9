package io.kubeincident.core.detect;

/** Finds {@link StatefulSetServiceMissingDetector} through {@code ServiceLoader}. */
public final class StatefulSetServiceMissingDetectorProvider extends BuiltInDetectorProvider {
    public StatefulSetServiceMissingDetectorProvider() {
        super(StatefulSetServiceMissingDetector.ID, StatefulSetServiceMissingDetector::new);
    }
}

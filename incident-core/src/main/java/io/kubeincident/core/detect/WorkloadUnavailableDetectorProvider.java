package io.kubeincident.core.detect;

/** Finds {@link WorkloadUnavailableDetector} through {@code ServiceLoader}. */
public final class WorkloadUnavailableDetectorProvider extends BuiltInDetectorProvider {
    public WorkloadUnavailableDetectorProvider() {
        super(WorkloadUnavailableDetector.ID, WorkloadUnavailableDetector::new);
    }
}

package io.kubeincident.core.detect;

/** Finds {@link JobFailedDetector} through {@code ServiceLoader}. */
public final class JobFailedDetectorProvider extends BuiltInDetectorProvider {
    public JobFailedDetectorProvider() {
        super(JobFailedDetector.ID, JobFailedDetector::new);
    }
}

package io.kubeincident.core.detect;

/** Finds {@link PodSandboxFailedDetector} through {@code ServiceLoader}. */
public final class PodSandboxFailedDetectorProvider extends BuiltInDetectorProvider {
    public PodSandboxFailedDetectorProvider() {
        super(PodSandboxFailedDetector.ID, PodSandboxFailedDetector::new);
    }
}

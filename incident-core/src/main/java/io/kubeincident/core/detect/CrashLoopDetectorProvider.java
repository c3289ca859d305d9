package io.kubeincident.core.detect;

/** Finds {@link CrashLoopDetector} through {@code ServiceLoader}. */
public final class CrashLoopDetectorProvider extends BuiltInDetectorProvider {
    public CrashLoopDetectorProvider() {
        super(CrashLoopDetector.ID, CrashLoopDetector::new);
    }
}

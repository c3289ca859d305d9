package io.kubeincident.core.detect;

/** Finds {@link OomKilledDetector} through {@code ServiceLoader}. */
public final class OomKilledDetectorProvider extends BuiltInDetectorProvider {
    public OomKilledDetectorProvider() {
        super(OomKilledDetector.ID, OomKilledDetector::new);
    }
}

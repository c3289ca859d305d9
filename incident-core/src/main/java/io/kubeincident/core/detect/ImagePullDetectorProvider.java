package io.kubeincident.core.detect;

/** Finds {@link ImagePullDetector} through {@code ServiceLoader}. */
public final class ImagePullDetectorProvider extends BuiltInDetectorProvider {
    public ImagePullDetectorProvider() {
        super(ImagePullDetector.ID, ImagePullDetector::new);
    }
}

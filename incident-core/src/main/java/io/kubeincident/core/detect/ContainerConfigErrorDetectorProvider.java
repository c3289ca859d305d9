package io.kubeincident.core.detect;

/** Finds {@link ContainerConfigErrorDetector} through {@code ServiceLoader}. */
public final class ContainerConfigErrorDetectorProvider extends BuiltInDetectorProvider {
    public ContainerConfigErrorDetectorProvider() {
        super(ContainerConfigErrorDetector.ID, ContainerConfigErrorDetector::new);
    }
}

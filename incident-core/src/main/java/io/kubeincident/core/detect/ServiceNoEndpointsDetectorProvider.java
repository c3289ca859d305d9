package io.kubeincident.core.detect;

/** Finds {@link ServiceNoEndpointsDetector} through {@code ServiceLoader}. */
public final class ServiceNoEndpointsDetectorProvider extends BuiltInDetectorProvider {
    public ServiceNoEndpointsDetectorProvider() {
        super(ServiceNoEndpointsDetector.ID, ServiceNoEndpointsDetector::new);
    }
}

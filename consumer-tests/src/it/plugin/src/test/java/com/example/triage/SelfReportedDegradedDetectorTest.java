package com.example.triage;

import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.testkit.kit.DetectorCompatibilityKit;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.PodBuilder;
import io.kubernetes.client.common.KubernetesObject;

import java.util.List;

// tag::detector-kit[]
class SelfReportedDegradedDetectorTest extends DetectorCompatibilityKit {
    @Override
    protected Detector detector() {
        return new SelfReportedDegradedDetector();
    }

    @Override
    protected Class<? extends DetectorProvider> providerClass() {
        return TriageProviders.Detection.class;
    }

    @Override
    protected List<KubernetesObject> healthyObjects() {
        return List.of(PodBuilder.pod("default", "fine").running().build(),
                PodBuilder.pod("default", "ok").annotation(SelfReportedDegradedDetector.STATUS, "ok").build(),
                DeploymentBuilder.deployment("default", "web").build().deployment());
    }

    @Override
    protected List<KubernetesObject> unhealthyObjects() {
        // annotation() is on the Deployment itself; label() would go to its pod template.
        return List.of(PodBuilder.pod("default", "worker").annotation(SelfReportedDegradedDetector.STATUS, "degraded").build(),
                DeploymentBuilder.deployment("shop", "cart").annotation(SelfReportedDegradedDetector.STATUS, "degraded")
                        .annotation(SelfReportedDegradedDetector.REASON, "payment backend unreachable").build().deployment());
    }
}
// end::detector-kit[]

package io.kubeincident.testkit.kit;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.AnalyzerProvider;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.PodBuilder;
import io.kubeincident.testkit.scenario.Workload;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The kit run against a tiny sample implementation, exactly as a plugin author would subclass it. */
class SampleAnalyzerCompatibilityTest extends AnalyzerCompatibilityKit {
    protected Analyzer analyzer() {
        return new Samples.RestartAnalyzer();
    }

    protected Class<? extends AnalyzerProvider> providerClass() {
        return Samples.RestartAnalyzerProvider.class;
    }

    protected AnalysisRequest sampleRequest() {
        ResourceRef root = ResourceRef.of("Deployment", "default", "web");
        ResourceRef pod = ResourceRef.of("Pod", "default", "web-1");
        return new AnalysisRequest(TestContexts.incident(IncidentTypes.CRASH_LOOP, root, pod), Evidence.empty(),
                List.of(new ActionDescriptor(ActionTypes.RESTART_POD, "restart", Set.of("Pod"), Map.of("type", "object"))));
    }
}

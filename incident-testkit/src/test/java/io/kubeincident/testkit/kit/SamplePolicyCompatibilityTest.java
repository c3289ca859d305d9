package io.kubeincident.testkit.kit;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ProposedAction;
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
class SamplePolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
    protected SafetyPolicy policy() {
        return new Samples.ExcludedNamespacesPolicy(Set.of("kube-system"));
    }

    protected Class<? extends SafetyPolicyProvider> providerClass() {
        return Samples.ExcludedNamespacesPolicyProvider.class;
    }

    protected List<Restricted> mustRestrict() {
        ProposedAction restart = new ProposedAction(ActionTypes.RESTART_POD, ResourceRef.of("Pod", "kube-system", "coredns-1"),
                Map.of(), 0.95, "kit");
        return List.of(Restricted.deny("a restart in an excluded namespace", restart, context(restart, false)));
    }
}

package com.example.triage;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.kit.RemediationActionCompatibilityKit;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.Workload;
import io.kubernetes.client.openapi.ApiClient;

import java.util.Map;

/** The plugin passes the test kit's compatibility checks, as every built-in action does. */
class TriageAnnotationActionCompatibilityTest extends RemediationActionCompatibilityKit {
    @Override
    protected RemediationAction action() {
        return new TriageAnnotationAction();
    }

    @Override
    protected Class<? extends RemediationActionProvider> providerClass() {
        return TriageAnnotationActionProvider.class;
    }

    @Override
    protected ActionRequest prepare(ApiClient client) throws Exception {
        Workload w = DeploymentBuilder.deployment("default", "web").replicas(1).create(client);
        return request(TestContexts.ref(w.pods().get(0)), Map.of("note", "looking into it"));
    }
}

package com.example.triage;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.kit.RemediationActionCompatibilityKit;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.Workload;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

// tag::action-kit[]
class MarkForTriageActionTest extends RemediationActionCompatibilityKit {
    @Override
    protected RemediationAction action() {
        return new MarkForTriageAction();
    }

    @Override
    protected Class<? extends RemediationActionProvider> providerClass() {
        return TriageProviders.Action.class;
    }

    @Override
    protected ActionRequest prepare(ApiClient client) throws Exception {
        Workload w = DeploymentBuilder.deployment("default", "web").replicas(1).create(client);
        return request(TestContexts.ref(w.deployment()), Map.of("note", "look at the payment backend"));
    }

    @Test
    void marksTheDeployment(ApiClient client) throws Exception {
        ActionRequest request = prepare(client);
        var result = action().execute(request, context(client, request));
        assertInstanceOf(io.kubeincident.api.ActionResult.Applied.class, result);
        var annotations = new AppsV1Api(client).readNamespacedDeployment("web", "default").execute()
                .getMetadata().getAnnotations();
        assertEquals("look at the payment backend", annotations.get(MarkForTriageAction.NOTE));
        assertEquals(request.incidentId(), annotations.get(MarkForTriageAction.INCIDENT));
    }
}
// end::action-kit[]

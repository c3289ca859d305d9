package io.kubeincident.core.kit;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.action.*;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.testkit.kit.RemediationActionCompatibilityKit;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubernetes.client.openapi.ApiClient;

import java.util.Map;

/** RollbackDeploymentAction passes the action compatibility kit on the loopback API server, as a third-party action would. */
class RollbackDeploymentActionCompatibilityTest extends RemediationActionCompatibilityKit {
    private static final KubeApi API = new KubeApi(ApiRetryConfig.defaults(), Sleeper.NONE);

    @Override
    protected RemediationAction action() {
        return new RollbackDeploymentAction(API);
    }

    @Override
    protected Class<? extends RemediationActionProvider> providerClass() {
        return RollbackDeploymentActionProvider.class;
    }

    @Override
    protected ActionRequest prepare(ApiClient client) throws Exception {
        DeploymentBuilder.deployment("default", "web").replicas(1).image("web:2").previousRevision("web:1").create(client);
        return request(ResourceRef.of("Deployment", "default", "web"), Map.of());
    }
}

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

/** RolloutRestartAction passes the action compatibility kit on the loopback API server, as a third-party action would. */
class RolloutRestartActionCompatibilityTest extends RemediationActionCompatibilityKit {
    private static final KubeApi API = new KubeApi(ApiRetryConfig.defaults(), Sleeper.NONE);

    @Override
    protected RemediationAction action() {
        return new RolloutRestartAction(API);
    }

    @Override
    protected Class<? extends RemediationActionProvider> providerClass() {
        return RolloutRestartActionProvider.class;
    }

    @Override
    protected ActionRequest prepare(ApiClient client) throws Exception {
        DeploymentBuilder.deployment("default", "web").replicas(2).create(client);
        return request(ResourceRef.of("Deployment", "default", "web"), Map.of());
    }
}

package io.kubeincident.core.kit;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.action.*;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.testkit.kit.RemediationActionCompatibilityKit;
import io.kubeincident.testkit.scenario.NodeBuilder;
import io.kubernetes.client.openapi.ApiClient;

import java.util.Map;

/** CordonNodeAction passes the action compatibility kit on the loopback API server, as a third-party action would. */
class CordonNodeActionCompatibilityTest extends RemediationActionCompatibilityKit {
    private static final KubeApi API = new KubeApi(ApiRetryConfig.defaults(), Sleeper.NONE);

    @Override
    protected RemediationAction action() {
        return new CordonNodeAction(API, SafetyConfig.defaults());
    }

    @Override
    protected Class<? extends RemediationActionProvider> providerClass() {
        return CordonNodeActionProvider.class;
    }

    @Override
    protected ActionRequest prepare(ApiClient client) throws Exception {
        NodeBuilder.node("node-1").ready().create(client);
        NodeBuilder.node("node-2").ready().create(client);
        return request(ResourceRef.cluster("Node", "node-1"), Map.of());
    }
}

package io.kubeincident.core.kit;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.action.*;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.testkit.kit.RemediationActionCompatibilityKit;
import io.kubeincident.testkit.scenario.NodeBuilder;
import io.kubeincident.testkit.scenario.PodBuilder;
import io.kubernetes.client.openapi.ApiClient;

import java.util.Map;

/** DrainNodeAction passes the action compatibility kit on the loopback API server, as a third-party action would. */
class DrainNodeActionCompatibilityTest extends RemediationActionCompatibilityKit {
    private static final KubeApi API = new KubeApi(ApiRetryConfig.defaults(), Sleeper.NONE);

    @Override
    protected RemediationAction action() {
        return new DrainNodeAction(API, SafetyConfig.defaults(), new DrainConfig(java.time.Duration.ofSeconds(20), 2, java.time.Duration.ZERO, java.time.Duration.ofMillis(50)));
    }

    @Override
    protected Class<? extends RemediationActionProvider> providerClass() {
        return DrainNodeActionProvider.class;
    }

    @Override
    protected ActionRequest prepare(ApiClient client) throws Exception {
        NodeBuilder.node("node-1").ready().create(client);
        NodeBuilder.node("node-2").ready().create(client);
        PodBuilder.pod("default", "web-1").node("node-1").ownedBy("apps/v1", "ReplicaSet", "web-rs", "rs-uid").running().create(client);
        return request(ResourceRef.cluster("Node", "node-1"), Map.of());
    }
}

package io.kubeincident.core.kit;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.action.*;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.testkit.kit.RemediationActionCompatibilityKit;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.util.PatchUtils;

import java.util.Map;

/** AdjustResourcesAction passes the action compatibility kit on the loopback API server, as a third-party action would. */
class AdjustResourcesActionCompatibilityTest extends RemediationActionCompatibilityKit {
    private static final KubeApi API = new KubeApi(ApiRetryConfig.defaults(), Sleeper.NONE);

    @Override
    protected RemediationAction action() {
        return new AdjustResourcesAction(API, SafetyConfig.defaults());
    }

    @Override
    protected Class<? extends RemediationActionProvider> providerClass() {
        return AdjustResourcesActionProvider.class;
    }

    @Override
    protected ActionRequest prepare(ApiClient client) throws Exception {
        DeploymentBuilder.deployment("default", "web").replicas(1).create(client);
        AppsV1Api apps = new AppsV1Api(client);
        V1Patch p = new V1Patch("[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/resources\",\"value\":{\"limits\":{\"memory\":\"128Mi\"}}}]");
        PatchUtils.patch(V1Deployment.class, () -> apps.patchNamespacedDeployment("web", "default", p).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_PATCH, client);
        return request(ResourceRef.of("Deployment", "default", "web"), Map.of("factor", 1.5));
    }
}

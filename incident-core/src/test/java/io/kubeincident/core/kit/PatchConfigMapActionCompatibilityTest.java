package io.kubeincident.core.kit;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.action.*;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.testkit.kit.RemediationActionCompatibilityKit;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;

import java.util.Map;

/** PatchConfigMapAction passes the action compatibility kit on the loopback API server, as a third-party action would. */
class PatchConfigMapActionCompatibilityTest extends RemediationActionCompatibilityKit {
    private static final KubeApi API = new KubeApi(ApiRetryConfig.defaults(), Sleeper.NONE);

    @Override
    protected RemediationAction action() {
        return new PatchConfigMapAction(API);
    }

    @Override
    protected Class<? extends RemediationActionProvider> providerClass() {
        return PatchConfigMapActionProvider.class;
    }

    @Override
    protected ActionRequest prepare(ApiClient client) throws Exception {
        new CoreV1Api(client).createNamespacedConfigMap("default", new V1ConfigMap()
                .metadata(new V1ObjectMeta().name("app-config").namespace("default")).data(Map.of("A", "1"))).execute();
        return request(ResourceRef.of("ConfigMap", "default", "app-config"), Map.of("data", Map.of("A", "2")));
    }
}

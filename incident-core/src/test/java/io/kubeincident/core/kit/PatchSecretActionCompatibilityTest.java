package io.kubeincident.core.kit;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.action.*;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.kit.RemediationActionCompatibilityKit;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;

import java.util.Map;

/** PatchSecretAction passes the action compatibility kit on the loopback API server, as a third-party action would. */
class PatchSecretActionCompatibilityTest extends RemediationActionCompatibilityKit {
    private static final KubeApi API = new KubeApi(ApiRetryConfig.defaults(), Sleeper.NONE);

    @Override
    protected RemediationAction action() {
        return new PatchSecretAction(API, SecretUndoVault.defaults(TestContexts.CLOCK));
    }

    @Override
    protected Class<? extends RemediationActionProvider> providerClass() {
        return PatchSecretActionProvider.class;
    }

    @Override
    protected ActionRequest prepare(ApiClient client) throws Exception {
        new CoreV1Api(client).createNamespacedSecret("default", new V1Secret()
                .metadata(new V1ObjectMeta().name("app-secret").namespace("default"))
                .data(Map.of("token", "old".getBytes(java.nio.charset.StandardCharsets.UTF_8)))).execute();
        return request(ResourceRef.of("Secret", "default", "app-secret"), Map.of("data", Map.of("token", "new")));
    }
}

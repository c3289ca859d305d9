package io.kubeincident.core.kit;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.core.action.*;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.kit.RemediationActionCompatibilityKit;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.Workload;
import io.kubernetes.client.openapi.ApiClient;

import java.util.Map;

/** RestartPodAction passes the action compatibility kit on the loopback API server, as a third-party action would. */
class RestartPodActionCompatibilityTest extends RemediationActionCompatibilityKit {
    private static final KubeApi API = new KubeApi(ApiRetryConfig.defaults(), Sleeper.NONE);

    @Override
    protected RemediationAction action() {
        return new RestartPodAction(API);
    }

    @Override
    protected Class<? extends RemediationActionProvider> providerClass() {
        return RestartPodActionProvider.class;
    }

    @Override
    protected ActionRequest prepare(ApiClient client) throws Exception {
        Workload w = DeploymentBuilder.deployment("default", "web").replicas(2).pods(p -> p.crashLoopBackOff(3)).create(client);
        return request(TestContexts.ref(w.pods().get(0)), Map.of());
    }
}

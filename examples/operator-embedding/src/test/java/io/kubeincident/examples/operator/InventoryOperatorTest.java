package io.kubeincident.examples.operator;

import io.kubeincident.testkit.Await;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator keeps doing its own job and, through its own informers, the embedded engine opens an
 * incident for a pod that starts crash-looping, without any polling of its own.
 */
class InventoryOperatorTest {
    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension();

    @Test
    void theOperatorKeepsItsJobAndTheEngineSeesTheCrashLoop() throws Exception {
        ApiClient client = kube.apiClient();
        new CoreV1Api(client).createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("shop"))).execute();
        V1Deployment d = deployment(client, "shop", "web");

        try (InventoryOperator operator = new InventoryOperator(client, kube.informerApiClient(),
                Map.of("remediation.mode", "dry-run", "monitoring.scan_interval", "1h"))) {  // no sweep during the test: events alone
            operator.start();
            Await.until(Duration.ofSeconds(20), () -> operator.inventory().snapshot().containsKey("shop/web"),
                    "the operator's own controller reconciled the Deployment");
            assertTrue(operator.engine().openIncidents().isEmpty(), "nothing wrong yet");

            crashLoopingPod(client, d);

            Await.until(Duration.ofSeconds(20), () -> !operator.engine().openIncidents().isEmpty(),
                    "the embedded engine opened an incident from the informer events");
            var incident = operator.engine().openIncidents().get(0).incident();
            assertEquals("crash-loop", incident.type());
            assertEquals("shop", incident.namespace());
            assertEquals(List.of("web-5f7c-abcde"), new CoreV1Api(client).listNamespacedPod("shop").execute().getItems()
                    .stream().map(p -> p.getMetadata().getName()).toList(), "dry-run: nothing deleted");
        }
    }

    private static V1Deployment deployment(ApiClient client, String ns, String name) throws ApiException {
        Map<String, String> labels = Map.of("app", name);
        return new AppsV1Api(client).createNamespacedDeployment(ns, new V1Deployment()
                .metadata(new V1ObjectMeta().name(name).namespace(ns).labels(labels))
                .spec(new V1DeploymentSpec().replicas(1).selector(new V1LabelSelector().matchLabels(labels))
                        .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(labels))
                                .spec(new V1PodSpec().addContainersItem(new V1Container().name("app").image("busybox")))))).execute();
    }

    private static void crashLoopingPod(ApiClient client, V1Deployment d) throws ApiException {
        CoreV1Api core = new CoreV1Api(client);
        String ns = d.getMetadata().getNamespace();
        V1Pod pod = core.createNamespacedPod(ns, new V1Pod()
                .metadata(new V1ObjectMeta().name("web-5f7c-abcde").namespace(ns).labels(Map.of("app", "web"))
                        .addOwnerReferencesItem(new V1OwnerReference().apiVersion("apps/v1").kind("ReplicaSet")
                                .name("web-5f7c").uid("rs-uid-1").controller(true)))
                .spec(new V1PodSpec().nodeName("node-1").addContainersItem(new V1Container().name("app").image("busybox")))).execute();
        pod.status(new V1PodStatus().phase("Running").addContainerStatusesItem(new V1ContainerStatus().name("app")
                .image("busybox").imageID("docker.io/library/busybox@sha256:1").ready(false).restartCount(4)
                .state(new V1ContainerState().waiting(new V1ContainerStateWaiting().reason("CrashLoopBackOff")))));
        core.replaceNamespacedPodStatus(pod.getMetadata().getName(), ns, pod).execute();
    }
}

package io.kubeincident.responder;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
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
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetSpec;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** Objects as a real cluster shows them, created through the API. */
final class Fixtures {
    private Fixtures() {
    }

    static void namespace(ApiClient client, String ns) throws ApiException {
        try {
            new CoreV1Api(client).createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(ns))).execute();
        } catch (ApiException e) {
            if (e.getCode() != 409) throw e;
        }
    }

    /** A Deployment with one ReplicaSet and one pod in CrashLoopBackOff; returns the pod's name. */
    static String crashLoopingDeployment(ApiClient client, String ns, String name) throws ApiException {
        CoreV1Api core = new CoreV1Api(client);
        AppsV1Api apps = new AppsV1Api(client);
        namespace(client, ns);
        Map<String, String> labels = Map.of("app", name);
        V1PodSpec spec = new V1PodSpec().addContainersItem(new V1Container().name("app").image("busybox:1.36")
                .command(List.of("sh", "-c", "exit 1")));
        V1Deployment d = apps.createNamespacedDeployment(ns, new V1Deployment()
                .metadata(new V1ObjectMeta().name(name).namespace(ns).labels(labels)
                        .annotations(Map.of("deployment.kubernetes.io/revision", "1")))
                .spec(new V1DeploymentSpec().replicas(1).selector(new V1LabelSelector().matchLabels(labels))
                        .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(labels)).spec(spec)))).execute();
        Map<String, String> rsLabels = Map.of("app", name, "pod-template-hash", "7d4b9c");
        V1ReplicaSet rs = apps.createNamespacedReplicaSet(ns, new V1ReplicaSet()
                .metadata(new V1ObjectMeta().name(name + "-7d4b9c").namespace(ns).labels(rsLabels)
                        .annotations(Map.of("deployment.kubernetes.io/revision", "1"))
                        .addOwnerReferencesItem(new V1OwnerReference().apiVersion("apps/v1").kind("Deployment")
                                .name(name).uid(d.getMetadata().getUid()).controller(true)))
                .spec(new V1ReplicaSetSpec().replicas(1).selector(new V1LabelSelector().matchLabels(rsLabels))
                        .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(rsLabels)).spec(spec)))).execute();
        String podName = name + "-7d4b9c-x2kq9";
        OffsetDateTime now = OffsetDateTime.now();
        V1Pod pod = core.createNamespacedPod(ns, new V1Pod()
                .metadata(new V1ObjectMeta().name(podName).namespace(ns).labels(rsLabels)
                        .addOwnerReferencesItem(new V1OwnerReference().apiVersion("apps/v1").kind("ReplicaSet")
                                .name(rs.getMetadata().getName()).uid(rs.getMetadata().getUid()).controller(true)))
                .spec(spec.nodeName("node-1"))).execute();
        pod.status(new V1PodStatus().phase("Running").addContainerStatusesItem(new V1ContainerStatus().name("app")
                .image("busybox:1.36").imageID("docker.io/library/busybox@sha256:1").ready(false).started(false)
                .restartCount(6)
                .state(new V1ContainerState().waiting(new V1ContainerStateWaiting().reason("CrashLoopBackOff")
                        .message("back-off 2m40s restarting failed container=app")))
                .lastState(new V1ContainerState().terminated(new V1ContainerStateTerminated().exitCode(1).reason("Error")
                        .startedAt(now.minusSeconds(70)).finishedAt(now.minusSeconds(60))))));
        core.replaceNamespacedPodStatus(podName, ns, pod).execute();
        return podName;
    }

    static List<String> podNames(ApiClient client, String ns) throws ApiException {
        return new CoreV1Api(client).listNamespacedPod(ns).execute().getItems().stream()
                .map(p -> p.getMetadata().getName()).toList();
    }
}

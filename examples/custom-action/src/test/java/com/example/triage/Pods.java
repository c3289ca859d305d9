package com.example.triage;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;

import java.util.List;
import java.util.Map;

/** A crash-looping pod as the kubelet reports it. */
final class Pods {
    private Pods() {
    }

    static V1Pod crashLooping(ApiClient client, String ns, String name) throws ApiException {
        CoreV1Api core = new CoreV1Api(client);
        try {
            core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(ns))).execute();
        } catch (ApiException e) {
            if (e.getCode() != 409) throw e;
        }
        V1Pod pod = core.createNamespacedPod(ns, new V1Pod().metadata(new V1ObjectMeta().name(name).namespace(ns))
                .spec(new V1PodSpec().nodeName("node-1").addContainersItem(new V1Container().name("app")
                        .image("busybox:1.36").command(List.of("sh", "-c", "exit 1"))))).execute();
        pod.status(new V1PodStatus().phase("Running").addContainerStatusesItem(new V1ContainerStatus().name("app")
                .image("busybox:1.36").imageID("docker.io/library/busybox@sha256:1").ready(false).restartCount(5)
                .state(new V1ContainerState().waiting(new V1ContainerStateWaiting().reason("CrashLoopBackOff")))));
        return core.replaceNamespacedPodStatus(name, ns, pod).execute();
    }

    static Map<String, String> annotations(ApiClient client, String ns, String name) throws ApiException {
        var a = new CoreV1Api(client).readNamespacedPod(name, ns).execute().getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }
}

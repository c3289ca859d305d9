package io.kubeincident.argocd;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ReplicaSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-memory cluster view: the unit seam for resolution, detection and routing tests. */
final class FakeCluster implements ClusterView {
    private final List<KubernetesObject> objects = new CopyOnWriteArrayList<>();
    int gets;

    FakeCluster add(KubernetesObject o) {
        objects.add(o);
        return this;
    }

    void clear() {
        objects.clear();
    }

    @Override
    public <T extends KubernetesObject> List<T> list(Class<T> type, String namespace) {
        List<T> out = new ArrayList<>();
        for (KubernetesObject o : objects) {
            if (type.isInstance(o) && (namespace == null || namespace.equals(o.getMetadata().getNamespace()))) {
                out.add(type.cast(o));
            }
        }
        return out;
    }

    @Override
    public <T extends KubernetesObject> Optional<T> get(Class<T> type, String namespace, String name) {
        gets++;
        return list(type, namespace).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
    }

    @Override
    public <T extends KubernetesObject> List<T> ownedBy(Class<T> type, String ownerUid) {
        return list(type, null).stream().filter(o -> o.getMetadata().getOwnerReferences() != null
                && o.getMetadata().getOwnerReferences().stream().anyMatch(r -> Objects.equals(r.getUid(), ownerUid))).toList();
    }

    @Override
    public List<V1Pod> podsOnNode(String nodeName) {
        return List.of();
    }

    @Override
    public List<CoreV1Event> eventsFor(ResourceRef ref) {
        return List.of();
    }

    static V1ObjectMeta meta(String ns, String name, Map<String, String> labels, Map<String, String> annotations) {
        return new V1ObjectMeta().namespace(ns).name(name).uid("uid-" + name).labels(labels).annotations(annotations);
    }

    static V1Deployment deployment(String ns, String name, Map<String, String> labels, Map<String, String> annotations) {
        return new V1Deployment().apiVersion("apps/v1").kind("Deployment").metadata(meta(ns, name, labels, annotations));
    }

    static V1ReplicaSet replicaSet(String ns, String name, String deployment) {
        V1ObjectMeta m = meta(ns, name, null, null).ownerReferences(List.of(new V1OwnerReference()
                .apiVersion("apps/v1").kind("Deployment").name(deployment).uid("uid-" + deployment).controller(true)));
        return new V1ReplicaSet().metadata(m);
    }

    static V1Pod pod(String ns, String name, String replicaSet) {
        V1ObjectMeta m = meta(ns, name, null, null).ownerReferences(List.of(new V1OwnerReference()
                .apiVersion("apps/v1").kind("ReplicaSet").name(replicaSet).uid("uid-" + replicaSet).controller(true)));
        return new V1Pod().metadata(m);
    }
}

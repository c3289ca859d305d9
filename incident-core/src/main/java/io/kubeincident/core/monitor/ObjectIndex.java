package io.kubeincident.core.monitor;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable in-memory {@link ClusterView} over a fixed set of objects, indexed by kind, owner uid,
 * node name and involved object. The one-shot scan builds one from a list per kind.
 */
public class ObjectIndex implements ClusterView {
    private final Map<Class<?>, List<KubernetesObject>> byType = new HashMap<>();
    private final Map<String, List<KubernetesObject>> byOwnerUid = new HashMap<>();
    private final Map<String, List<V1Pod>> podsByNode = new HashMap<>();
    private final Map<String, List<CoreV1Event>> eventsByInvolved = new HashMap<>();

    public ObjectIndex(Collection<? extends KubernetesObject> objects) {
        for (KubernetesObject o : objects) {
            byType.computeIfAbsent(o.getClass(), k -> new ArrayList<>()).add(o);
            V1ObjectMeta meta = o.getMetadata();
            if (meta != null && meta.getOwnerReferences() != null) {
                for (V1OwnerReference ref : meta.getOwnerReferences()) {
                    if (ref.getUid() != null) byOwnerUid.computeIfAbsent(ref.getUid(), k -> new ArrayList<>()).add(o);
                }
            }
            if (o instanceof V1Pod pod && pod.getSpec() != null && pod.getSpec().getNodeName() != null) {
                podsByNode.computeIfAbsent(pod.getSpec().getNodeName(), k -> new ArrayList<>()).add(pod);
            }
            if (o instanceof CoreV1Event e && e.getInvolvedObject() != null) {
                var io = e.getInvolvedObject();
                if (io.getUid() != null) eventsByInvolved.computeIfAbsent(io.getUid(), k -> new ArrayList<>()).add(e);
                eventsByInvolved.computeIfAbsent(involvedKey(io.getKind(), io.getNamespace(), io.getName()),
                        k -> new ArrayList<>()).add(e);
            }
        }
    }

    /** Every object held, in insertion order per type. */
    public List<KubernetesObject> all() {
        List<KubernetesObject> out = new ArrayList<>();
        byType.values().forEach(out::addAll);
        return out;
    }

    @Override
    public <T extends KubernetesObject> List<T> list(Class<T> type, String namespace) {
        List<T> out = new ArrayList<>();
        for (KubernetesObject o : byType.getOrDefault(type, List.of())) {
            if (namespace == null || (o.getMetadata() != null && namespace.equals(o.getMetadata().getNamespace()))) {
                out.add(type.cast(o));
            }
        }
        return out;
    }

    @Override
    public <T extends KubernetesObject> Optional<T> get(Class<T> type, String namespace, String name) {
        for (KubernetesObject o : byType.getOrDefault(type, List.of())) {
            V1ObjectMeta m = o.getMetadata();
            if (m != null && Objects.equals(name, m.getName()) && Objects.equals(namespace, m.getNamespace())) {
                return Optional.of(type.cast(o));
            }
        }
        return Optional.empty();
    }

    @Override
    public <T extends KubernetesObject> List<T> ownedBy(Class<T> type, String ownerUid) {
        List<T> out = new ArrayList<>();
        for (KubernetesObject o : byOwnerUid.getOrDefault(ownerUid, List.of())) {
            if (type.isInstance(o)) out.add(type.cast(o));
        }
        return out;
    }

    @Override
    public List<V1Pod> podsOnNode(String nodeName) {
        return List.copyOf(podsByNode.getOrDefault(nodeName, List.of()));
    }

    @Override
    public List<CoreV1Event> eventsFor(ResourceRef ref) {
        if (ref.uid() != null && eventsByInvolved.containsKey(ref.uid())) {
            return List.copyOf(eventsByInvolved.get(ref.uid()));
        }
        return List.copyOf(eventsByInvolved.getOrDefault(involvedKey(ref.kind(), ref.namespace(), ref.name()), List.of()));
    }

    private static String involvedKey(String kind, String namespace, String name) {
        return kind + "/" + namespace + "/" + name;
    }
}

package io.kubeincident.testkit.context;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.PolicyV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable in-memory {@link ClusterView} over a list of objects, indexed by owner uid, node
 * and involved object, as the engine's informer-backed view is. For detector and policy tests:
 *
 * <pre>{@code
 * ClusterView view = ListClusterView.of(workload.deployment(), workload.current(), pod);
 * ClusterView live = ListClusterView.snapshot(server.apiClient());   // what the loopback server holds
 * }</pre>
 */
public final class ListClusterView implements ClusterView {

    private final List<KubernetesObject> objects;
    private final Map<String, List<KubernetesObject>> byOwnerUid = new HashMap<>();
    private final Map<String, List<V1Pod>> podsByNode = new HashMap<>();
    private final List<CoreV1Event> events = new ArrayList<>();
    private final Set<Class<? extends KubernetesObject>> unavailable;

    private ListClusterView(Collection<? extends KubernetesObject> objs, Set<Class<? extends KubernetesObject>> unavailable) {
        this.objects = List.copyOf(objs);
        this.unavailable = Set.copyOf(unavailable);
        for (KubernetesObject o : objects) {
            V1ObjectMeta md = o.getMetadata();
            if (md != null && md.getOwnerReferences() != null) {
                for (V1OwnerReference r : md.getOwnerReferences()) {
                    if (r.getUid() != null) byOwnerUid.computeIfAbsent(r.getUid(), k -> new ArrayList<>()).add(o);
                }
            }
            if (o instanceof V1Pod p && p.getSpec() != null && p.getSpec().getNodeName() != null) {
                podsByNode.computeIfAbsent(p.getSpec().getNodeName(), k -> new ArrayList<>()).add(p);
            }
            if (o instanceof CoreV1Event e) events.add(e);
        }
    }

    public static ListClusterView of(KubernetesObject... objs) {
        return new ListClusterView(Arrays.asList(objs), Set.of());
    }

    public static ListClusterView of(Collection<? extends KubernetesObject> objs) {
        return new ListClusterView(objs, Set.of());
    }

    public static ListClusterView empty() {
        return new ListClusterView(List.of(), Set.of());
    }

    /** A new view with {@code more} objects added. */
    public ListClusterView with(KubernetesObject... more) {
        List<KubernetesObject> all = new ArrayList<>(objects);
        all.addAll(Arrays.asList(more));
        return new ListClusterView(all, unavailable);
    }

    /** A new view in which {@code type} is not watched (as after a 403 on that kind). */
    public ListClusterView withUnavailable(Class<? extends KubernetesObject> type) {
        Set<Class<? extends KubernetesObject>> u = new HashSet<>(unavailable);
        u.add(type);
        return new ListClusterView(objects, u);
    }

    /**
     * Lists what a server holds (pods, nodes, events, deployments, replicasets, statefulsets,
     * daemonsets, jobs, poddisruptionbudgets, namespaces) into a view.
     */
    public static ListClusterView snapshot(ApiClient client) {
        CoreV1Api core = new CoreV1Api(client);
        AppsV1Api apps = new AppsV1Api(client);
        List<KubernetesObject> all = new ArrayList<>();
        try {
            all.addAll(core.listPodForAllNamespaces().execute().getItems());
            all.addAll(core.listNode().execute().getItems());
            all.addAll(core.listEventForAllNamespaces().execute().getItems());
            all.addAll(core.listNamespace().execute().getItems());
            all.addAll(apps.listDeploymentForAllNamespaces().execute().getItems());
            all.addAll(apps.listReplicaSetForAllNamespaces().execute().getItems());
            all.addAll(apps.listStatefulSetForAllNamespaces().execute().getItems());
            all.addAll(apps.listDaemonSetForAllNamespaces().execute().getItems());
            all.addAll(new BatchV1Api(client).listJobForAllNamespaces().execute().getItems());
            all.addAll(new PolicyV1Api(client).listPodDisruptionBudgetForAllNamespaces().execute().getItems());
        } catch (ApiException e) {
            throw new IllegalStateException("snapshot failed: " + e.getCode() + " " + e.getResponseBody(), e);
        }
        return of(all);
    }

    /** Every object, in insertion order. */
    public List<KubernetesObject> all() {
        return objects;
    }

    @Override
    public <T extends KubernetesObject> List<T> list(Class<T> type, String namespace) {
        List<T> out = new ArrayList<>();
        for (KubernetesObject o : objects) {
            if (type.isInstance(o) && (namespace == null || namespace.equals(ns(o)))) out.add(type.cast(o));
        }
        return out;
    }

    @Override
    public <T extends KubernetesObject> Optional<T> get(Class<T> type, String namespace, String name) {
        for (KubernetesObject o : objects) {
            if (type.isInstance(o) && Objects.equals(namespace, ns(o)) && o.getMetadata() != null
                    && Objects.equals(name, o.getMetadata().getName())) {
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
        List<CoreV1Event> out = new ArrayList<>();
        for (CoreV1Event e : events) {
            V1ObjectReference io = e.getInvolvedObject();
            if (io == null) continue;
            if (ref.uid() != null && io.getUid() != null) {
                if (ref.uid().equals(io.getUid())) out.add(e);
            } else if (ref.kind().equals(io.getKind()) && ref.name().equals(io.getName())
                    && Objects.equals(ref.namespace(), io.getNamespace() == null ? ns(e) : io.getNamespace())) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public boolean available(Class<? extends KubernetesObject> type) {
        return !unavailable.contains(type);
    }

    private static String ns(KubernetesObject o) {
        return o.getMetadata() == null ? null : o.getMetadata().getNamespace();
    }
}

package io.kubeincident.core.monitor;

import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.CoreV1EventList;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1DaemonSetList;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1EndpointSliceList;
import io.kubernetes.client.openapi.models.V1Endpoints;
import io.kubernetes.client.openapi.models.V1EndpointsList;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobList;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NamespaceList;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeList;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaimList;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudgetList;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetList;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceList;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetList;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerList;

import java.util.Arrays;
import java.util.Optional;

/**
 * The kinds the monitor can watch, with what an informer needs to list and watch them. The kind name
 * is the one detectors declare in {@code Detector.kinds()}; objects in a list response carry no
 * {@code kind}, so the class is what identifies them.
 */
public enum WatchedKind {
    POD("Pod", V1Pod.class, V1PodList.class, "", "v1", "pods", true),
    DEPLOYMENT("Deployment", V1Deployment.class, V1DeploymentList.class, "apps", "v1", "deployments", true),
    REPLICA_SET("ReplicaSet", V1ReplicaSet.class, V1ReplicaSetList.class, "apps", "v1", "replicasets", true),
    STATEFUL_SET("StatefulSet", V1StatefulSet.class, V1StatefulSetList.class, "apps", "v1", "statefulsets", true),
    DAEMON_SET("DaemonSet", V1DaemonSet.class, V1DaemonSetList.class, "apps", "v1", "daemonsets", true),
    JOB("Job", V1Job.class, V1JobList.class, "batch", "v1", "jobs", true),
    NODE("Node", V1Node.class, V1NodeList.class, "", "v1", "nodes", false),
    EVENT("Event", CoreV1Event.class, CoreV1EventList.class, "", "v1", "events", true),
    SERVICE("Service", V1Service.class, V1ServiceList.class, "", "v1", "services", true),
    ENDPOINT_SLICE("EndpointSlice", V1EndpointSlice.class, V1EndpointSliceList.class, "discovery.k8s.io", "v1",
            "endpointslices", true),
    ENDPOINTS("Endpoints", V1Endpoints.class, V1EndpointsList.class, "", "v1", "endpoints", true),
    PERSISTENT_VOLUME_CLAIM("PersistentVolumeClaim", V1PersistentVolumeClaim.class,
            V1PersistentVolumeClaimList.class, "", "v1", "persistentvolumeclaims", true),
    HORIZONTAL_POD_AUTOSCALER("HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class,
            V2HorizontalPodAutoscalerList.class, "autoscaling", "v2", "horizontalpodautoscalers", true),
    /** Read by the safety policies (opt-out labels), not by detectors. */
    NAMESPACE("Namespace", V1Namespace.class, V1NamespaceList.class, "", "v1", "namespaces", false),
    /** Read by the safety policies (availability), not by detectors. */
    POD_DISRUPTION_BUDGET("PodDisruptionBudget", V1PodDisruptionBudget.class, V1PodDisruptionBudgetList.class,
            "policy", "v1", "poddisruptionbudgets", true);

    private final String kind;
    private final Class<? extends KubernetesObject> type;
    private final Class<? extends KubernetesListObject> listType;
    private final String group;
    private final String version;
    private final String plural;
    private final boolean namespaced;

    WatchedKind(String kind, Class<? extends KubernetesObject> type, Class<? extends KubernetesListObject> listType,
                String group, String version, String plural, boolean namespaced) {
        this.kind = kind;
        this.type = type;
        this.listType = listType;
        this.group = group;
        this.version = version;
        this.plural = plural;
        this.namespaced = namespaced;
    }

    public String kind() {
        return kind;
    }

    public Class<? extends KubernetesObject> type() {
        return type;
    }

    public Class<? extends KubernetesListObject> listType() {
        return listType;
    }

    public String group() {
        return group;
    }

    public String version() {
        return version;
    }

    public String plural() {
        return plural;
    }

    public boolean namespaced() {
        return namespaced;
    }

    /** {@code apps/v1}, or {@code v1} for the core group. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public static Optional<WatchedKind> ofKind(String kind) {
        if (kind == null) return Optional.empty();
        for (WatchedKind k : values()) {
            if (k.kind.equals(kind)) return Optional.of(k);
        }
        return Optional.empty();
    }

    public static Optional<WatchedKind> ofType(Class<?> type) {
        for (WatchedKind k : values()) {
            if (k.type == type) return Optional.of(k);
        }
        return Optional.empty();
    }

    /** Accepts the kind ({@code Pod}), the plural ({@code pods}) or the enum name ({@code pod}), any case. */
    public static WatchedKind parse(String name) {
        String n = name.trim();
        for (WatchedKind k : values()) {
            if (k.kind.equalsIgnoreCase(n) || k.plural.equalsIgnoreCase(n) || k.name().equalsIgnoreCase(n)
                    || k.name().replace("_", "").equalsIgnoreCase(n)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown kind: " + name + " (known: "
                + Arrays.stream(values()).map(WatchedKind::kind).toList() + ")");
    }

    /** The kind of {@code object}: from its class for the watched kinds, else its {@code kind} field. */
    public static String kindOf(KubernetesObject object) {
        Optional<WatchedKind> k = ofType(object.getClass());
        if (k.isPresent()) return k.get().kind;
        String kind = object.getKind();
        return kind != null ? kind
                : object.getClass().getSimpleName().replaceFirst("^(Core)?V\\d+((alpha|beta)\\d+)?", "");
    }
}

package io.kubeincident.testkit.server;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Plural resource names to kinds, for apiVersion/kind defaulting, list kinds and discovery. */
final class Kinds {

    /** group -> (plural -> kind), in discovery order. */
    static final Map<String, Map<String, String>> KNOWN = new LinkedHashMap<>();

    static final Set<String> CLUSTER_SCOPED = Set.of("nodes", "namespaces", "persistentvolumes", "clusterroles",
            "clusterrolebindings", "storageclasses", "priorityclasses", "customresourcedefinitions");

    static {
        group("", "pods:Pod", "nodes:Node", "namespaces:Namespace", "events:Event", "services:Service",
                "endpoints:Endpoints", "configmaps:ConfigMap", "secrets:Secret", "serviceaccounts:ServiceAccount",
                "persistentvolumeclaims:PersistentVolumeClaim", "persistentvolumes:PersistentVolume",
                "replicationcontrollers:ReplicationController", "resourcequotas:ResourceQuota",
                "limitranges:LimitRange");
        group("apps", "deployments:Deployment", "replicasets:ReplicaSet", "statefulsets:StatefulSet",
                "daemonsets:DaemonSet", "controllerrevisions:ControllerRevision");
        group("batch", "jobs:Job", "cronjobs:CronJob");
        group("policy", "poddisruptionbudgets:PodDisruptionBudget");
        group("autoscaling", "horizontalpodautoscalers:HorizontalPodAutoscaler");
        group("coordination.k8s.io", "leases:Lease");
        group("events.k8s.io", "events:Event");
        group("networking.k8s.io", "ingresses:Ingress", "networkpolicies:NetworkPolicy");
        group("rbac.authorization.k8s.io", "roles:Role", "rolebindings:RoleBinding", "clusterroles:ClusterRole",
                "clusterrolebindings:ClusterRoleBinding");
        group("storage.k8s.io", "storageclasses:StorageClass");
        group("scheduling.k8s.io", "priorityclasses:PriorityClass");
        group("discovery.k8s.io", "endpointslices:EndpointSlice");
        group("apiextensions.k8s.io", "customresourcedefinitions:CustomResourceDefinition");
        group("argoproj.io", "applications:Application");
    }

    /** Kinds learned from bodies of custom resources (plural -> kind). */
    private final Map<String, String> learned = new ConcurrentHashMap<>();

    private static void group(String g, String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String p : pairs) {
            String[] kv = p.split(":");
            m.put(kv[0], kv[1]);
        }
        KNOWN.put(g, m);
    }

    static String preferredVersion(String group) {
        return switch (group) {
            case "" -> "v1";
            case "argoproj.io" -> "v1alpha1";
            default -> "v1";
        };
    }

    String kind(String group, String plural) {
        Map<String, String> m = KNOWN.get(group);
        if (m != null && m.containsKey(plural)) return m.get(plural);
        String l = learned.get(group + "/" + plural);
        if (l != null) return l;
        return guess(plural);
    }

    void learn(String group, String plural, String kind) {
        if (kind != null && !kind.isBlank()) learned.putIfAbsent(group + "/" + plural, kind);
    }

    private static String guess(String plural) {
        String s = plural;
        if (s.endsWith("ies")) s = s.substring(0, s.length() - 3) + "y";
        else if (s.endsWith("sses") || s.endsWith("ches") || s.endsWith("shes")) s = s.substring(0, s.length() - 2);
        else if (s.endsWith("s")) s = s.substring(0, s.length() - 1);
        return s.isEmpty() ? plural : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }
}

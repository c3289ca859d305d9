package io.kubeincident.core.action;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvFromSource;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LabelSelectorRequirement;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ProjectedVolumeSource;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeProjection;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Small facts about Kubernetes objects that actions and policies share. Stateless. */
public final class Workloads {

    /** Pod-template annotation {@code kubectl rollout restart} sets. */
    public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
    /** Revision annotation on Deployments and ReplicaSets. */
    public static final String REVISION = "deployment.kubernetes.io/revision";
    /** Label the Deployment controller adds to ReplicaSets and their template. */
    public static final String POD_TEMPLATE_HASH = "pod-template-hash";
    /** Annotation of static (mirror) pods. */
    public static final String MIRROR_POD = "kubernetes.io/config.mirror";

    private static final Map<String, Class<? extends KubernetesObject>> TYPES = Map.ofEntries(
            Map.entry("Pod", V1Pod.class),
            Map.entry("Deployment", V1Deployment.class),
            Map.entry("ReplicaSet", V1ReplicaSet.class),
            Map.entry("StatefulSet", V1StatefulSet.class),
            Map.entry("DaemonSet", V1DaemonSet.class),
            Map.entry("Job", V1Job.class),
            Map.entry("CronJob", V1CronJob.class),
            Map.entry("Node", V1Node.class),
            Map.entry("Namespace", V1Namespace.class),
            Map.entry("ConfigMap", V1ConfigMap.class),
            Map.entry("Secret", V1Secret.class),
            Map.entry("Service", V1Service.class),
            Map.entry("PersistentVolumeClaim", V1PersistentVolumeClaim.class),
            Map.entry("HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class),
            Map.entry("PodDisruptionBudget", V1PodDisruptionBudget.class));

    private Workloads() {
    }

    /** The client-java model class of a kind, if it is one the engine knows. */
    public static Optional<Class<? extends KubernetesObject>> typeOf(String kind) {
        return Optional.ofNullable(TYPES.get(kind));
    }

    /** The cached object {@code ref} points at (uid checked when both sides know it). */
    public static Optional<KubernetesObject> cached(ClusterView cluster, ResourceRef ref) {
        Optional<Class<? extends KubernetesObject>> type = typeOf(ref.kind());
        if (type.isEmpty()) return Optional.empty();
        Optional<? extends KubernetesObject> o = cluster.get(type.get(), ref.namespace(), ref.name());
        if (o.isEmpty()) return Optional.empty();
        KubernetesObject obj = o.get();
        if (ref.uid() != null && obj.getMetadata() != null && obj.getMetadata().getUid() != null
                && !ref.uid().equals(obj.getMetadata().getUid())) {
            return Optional.empty();
        }
        return Optional.of(obj);
    }

    public static ResourceRef ref(KubernetesObject o) {
        V1ObjectMeta m = o.getMetadata();
        String kind = o.getKind();
        if (kind == null || kind.isBlank()) kind = kindOf(o.getClass());
        return new ResourceRef(kind, m.getNamespace(), m.getName(), m.getUid());
    }

    public static String kindOf(Class<?> type) {
        for (Map.Entry<String, Class<? extends KubernetesObject>> e : TYPES.entrySet()) {
            if (e.getValue().equals(type)) return e.getKey();
        }
        return type.getSimpleName().replaceFirst("^V\\d+", "");
    }

    public static Map<String, String> labels(KubernetesObject o) {
        if (o == null || o.getMetadata() == null || o.getMetadata().getLabels() == null) return Map.of();
        return o.getMetadata().getLabels();
    }

    public static Map<String, String> annotations(V1ObjectMeta m) {
        return m == null || m.getAnnotations() == null ? Map.of() : m.getAnnotations();
    }

    /** The controller owner reference, if any. */
    public static Optional<V1OwnerReference> controllerOf(V1ObjectMeta meta) {
        if (meta == null || meta.getOwnerReferences() == null) return Optional.empty();
        return meta.getOwnerReferences().stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst()
                .or(() -> meta.getOwnerReferences().stream().findFirst());
    }

    /** The pod template of a Deployment, StatefulSet, DaemonSet, ReplicaSet or Job; empty for other kinds. */
    public static Optional<V1PodTemplateSpec> podTemplate(KubernetesObject o) {
        V1PodTemplateSpec t = null;
        if (o instanceof V1Deployment d && d.getSpec() != null) t = d.getSpec().getTemplate();
        else if (o instanceof V1StatefulSet s && s.getSpec() != null) t = s.getSpec().getTemplate();
        else if (o instanceof V1DaemonSet ds && ds.getSpec() != null) t = ds.getSpec().getTemplate();
        else if (o instanceof V1ReplicaSet rs && rs.getSpec() != null) t = rs.getSpec().getTemplate();
        else if (o instanceof V1Job j && j.getSpec() != null) t = j.getSpec().getTemplate();
        return Optional.ofNullable(t);
    }

    public static boolean podReady(V1Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) return false;
        for (V1PodCondition c : pod.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) return "True".equals(c.getStatus());
        }
        return false;
    }

    public static int restarts(V1Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) return 0;
        return pod.getStatus().getContainerStatuses().stream().mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount()).sum();
    }

    public static boolean nodeReady(V1Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) return false;
        for (V1NodeCondition c : node.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) return "True".equals(c.getStatus());
        }
        return false;
    }

    public static boolean nodeSchedulable(V1Node node) {
        return node.getSpec() == null || !Boolean.TRUE.equals(node.getSpec().getUnschedulable());
    }

    /** Whether a label selector matches labels ({@code matchLabels} and {@code matchExpressions}); a null selector matches nothing. */
    public static boolean matches(V1LabelSelector selector, Map<String, String> labels) {
        if (selector == null) return false;
        Map<String, String> l = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(l.get(e.getKey()))) return false;
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (V1LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String v = l.get(r.getKey());
                List<String> values = r.getValues() == null ? List.of() : r.getValues();
                boolean ok = switch (r.getOperator()) {
                    case "In" -> v != null && values.contains(v);
                    case "NotIn" -> v == null || !values.contains(v);
                    case "Exists" -> v != null;
                    case "DoesNotExist" -> v == null;
                    default -> false;
                };
                if (!ok) return false;
            }
        }
        return true;
    }

    /** Names of ConfigMaps (or Secrets when {@code secrets}) a pod spec refers to: volumes, projections, env, envFrom. */
    public static Set<String> referencedConfig(V1PodSpec spec, boolean secrets) {
        Set<String> names = new HashSet<>();
        if (spec == null) return names;
        if (spec.getVolumes() != null) {
            for (V1Volume v : spec.getVolumes()) {
                if (!secrets && v.getConfigMap() != null) names.add(v.getConfigMap().getName());
                if (secrets && v.getSecret() != null) names.add(v.getSecret().getSecretName());
                V1ProjectedVolumeSource p = v.getProjected();
                if (p != null && p.getSources() != null) {
                    for (V1VolumeProjection s : p.getSources()) {
                        if (!secrets && s.getConfigMap() != null) names.add(s.getConfigMap().getName());
                        if (secrets && s.getSecret() != null) names.add(s.getSecret().getName());
                    }
                }
            }
        }
        List<V1Container> containers = new ArrayList<>();
        if (spec.getContainers() != null) containers.addAll(spec.getContainers());
        if (spec.getInitContainers() != null) containers.addAll(spec.getInitContainers());
        for (V1Container c : containers) {
            if (c.getEnv() != null) {
                for (V1EnvVar e : c.getEnv()) {
                    if (e.getValueFrom() == null) continue;
                    if (!secrets && e.getValueFrom().getConfigMapKeyRef() != null) names.add(e.getValueFrom().getConfigMapKeyRef().getName());
                    if (secrets && e.getValueFrom().getSecretKeyRef() != null) names.add(e.getValueFrom().getSecretKeyRef().getName());
                }
            }
            if (c.getEnvFrom() != null) {
                for (V1EnvFromSource e : c.getEnvFrom()) {
                    if (!secrets && e.getConfigMapRef() != null) names.add(e.getConfigMapRef().getName());
                    if (secrets && e.getSecretRef() != null) names.add(e.getSecretRef().getName());
                }
            }
        }
        names.remove(null);
        return names;
    }

    /** JSON Pointer escaping of one path segment (RFC 6901). */
    public static String pointer(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }
}

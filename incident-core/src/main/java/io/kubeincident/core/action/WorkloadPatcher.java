package io.kubeincident.core.action;

import io.kubeincident.api.Permission;
import io.kubeincident.api.ResourceRef;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1StatefulSet;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Reads and patches the workload kinds with a pod template (Deployment, StatefulSet, DaemonSet), and restarts them. */
public final class WorkloadPatcher {

    public static final Set<String> KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet");
    /** Marks which incident and action last restarted a template, so a repeated request changes nothing. */
    public static final String RESTARTED_FOR = "kube-incident.io/restarted-for";

    private final KubeApi kube;

    public WorkloadPatcher(KubeApi kube) {
        this.kube = kube;
    }

    public static Permission permission(String kind, String verb) {
        return Permission.of("apps", switch (kind) {
            case "Deployment" -> "deployments";
            case "StatefulSet" -> "statefulsets";
            case "DaemonSet" -> "daemonsets";
            default -> throw new IllegalArgumentException("not a workload kind: " + kind);
        }, verb);
    }

    public static Set<Permission> permissions(String verb) {
        return Set.of(permission("Deployment", verb), permission("StatefulSet", verb), permission("DaemonSet", verb));
    }

    /** Get and patch on every workload kind: what reading a workload and then patching it needs. */
    static Set<Permission> getAndPatch() {
        Set<Permission> p = new HashSet<>(permissions("get"));
        p.addAll(permissions("patch"));
        return p;
    }

    public KubernetesObject read(ApiClient client, ResourceRef ref) throws KubeCallException {
        AppsV1Api api = new AppsV1Api(client);
        String ns = ref.namespace();
        String name = ref.name();
        return switch (ref.kind()) {
            case "Deployment" -> kube.call(permission("Deployment", "get"), ref.key(), () -> api.readNamespacedDeployment(name, ns).execute());
            case "StatefulSet" -> kube.call(permission("StatefulSet", "get"), ref.key(), () -> api.readNamespacedStatefulSet(name, ns).execute());
            case "DaemonSet" -> kube.call(permission("DaemonSet", "get"), ref.key(), () -> api.readNamespacedDaemonSet(name, ns).execute());
            default -> throw new IllegalArgumentException("not a workload kind: " + ref.kind());
        };
    }

    public KubernetesObject patch(ApiClient client, ResourceRef ref, String format, String body, String dryRun)
            throws KubeCallException {
        AppsV1Api api = new AppsV1Api(client);
        String ns = ref.namespace();
        String name = ref.name();
        V1Patch patch = new V1Patch(body);
        Permission p = permission(ref.kind(), "patch");
        return switch (ref.kind()) {
            case "Deployment" -> kube.patch(V1Deployment.class, p, ref.key(), format, client,
                    () -> api.patchNamespacedDeployment(name, ns, patch).dryRun(dryRun).buildCall(null));
            case "StatefulSet" -> kube.patch(V1StatefulSet.class, p, ref.key(), format, client,
                    () -> api.patchNamespacedStatefulSet(name, ns, patch).dryRun(dryRun).buildCall(null));
            case "DaemonSet" -> kube.patch(V1DaemonSet.class, p, ref.key(), format, client,
                    () -> api.patchNamespacedDaemonSet(name, ns, patch).dryRun(dryRun).buildCall(null));
            default -> throw new IllegalArgumentException("not a workload kind: " + ref.kind());
        };
    }

    /**
     * Adds an op to {@code patch} that sets {@code values} among the pod-template annotations. The whole map is
     * written (what was read plus {@code values}): client-java reads an absent map as empty, so a JSON patch
     * cannot know whether a key path exists; writing the map with {@code add} works either way, and the
     * resourceVersion precondition keeps it from overwriting a concurrent change.
     */
    public static void setTemplateAnnotations(JsonPatch patch, V1PodTemplateSpec template, Map<String, String> values) {
        V1ObjectMeta meta = template.getMetadata();
        Map<String, String> merged = new java.util.TreeMap<>(meta == null || meta.getAnnotations() == null
                ? Map.of() : meta.getAnnotations());
        merged.putAll(values);
        if (meta == null) patch.add("/spec/template/metadata", Map.of("annotations", merged));
        else patch.add("/spec/template/metadata/annotations", merged);
    }

    /** Outcome of {@link #restart}. */
    public enum Restart { RESTARTED, ALREADY_DONE }

    /**
     * What {@code kubectl rollout restart} does: sets {@code kubectl.kubernetes.io/restartedAt} on the pod
     * template, plus our marker; a template that already carries {@code marker} is left alone.
     */
    public Restart restart(ApiClient client, ResourceRef ref, String marker, Instant now, String dryRun) throws KubeCallException {
        KubernetesObject obj = read(client, ref);
        V1PodTemplateSpec template = Workloads.podTemplate(obj).orElseThrow(
                () -> new IllegalStateException(ref + " has no pod template"));
        V1ObjectMeta meta = template.getMetadata();
        Map<String, String> annotations = meta == null ? null : meta.getAnnotations();
        if (annotations != null && marker.equals(annotations.get(RESTARTED_FOR))) return Restart.ALREADY_DONE;
        String at = now.truncatedTo(ChronoUnit.SECONDS).toString();
        JsonPatch patch = new JsonPatch();
        setTemplateAnnotations(patch, template, Map.of(Workloads.RESTARTED_AT, at, RESTARTED_FOR, marker));
        patch.precondition(obj.getMetadata().getResourceVersion());
        patch(client, ref, V1Patch.PATCH_FORMAT_JSON_PATCH, patch.toJson(), dryRun);
        return Restart.RESTARTED;
    }
}

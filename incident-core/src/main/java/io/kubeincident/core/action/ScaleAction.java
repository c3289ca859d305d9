package io.kubeincident.core.action;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.Permission;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.Reversible;
import io.kubeincident.spi.SupportsDryRun;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AutoscalingV2Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code scale}: sets the replicas of a Deployment or StatefulSet, within {@code safety.max_replicas} and
 * {@code safety.max_scale_factor} per step. When a HorizontalPodAutoscaler owns the replica count, a manual
 * scale would be undone by it, so the action raises the HPA's {@code minReplicas} instead when the request
 * fits within its {@code maxReplicas}, and refuses with the reason otherwise. Reversible: the previous
 * replicas (or HPA floor) are restored.
 */
public final class ScaleAction extends KubeAction implements SupportsDryRun, Reversible {

    static final Permission LIST_HPA = Permission.of("autoscaling", "horizontalpodautoscalers", "list");
    static final Permission PATCH_HPA = Permission.of("autoscaling", "horizontalpodautoscalers", "patch");

    private final WorkloadPatcher patcher;
    private final SafetyConfig limits;

    public ScaleAction(KubeApi kube, SafetyConfig limits) {
        super(kube);
        this.patcher = new WorkloadPatcher(kube);
        this.limits = limits;
    }

    @Override
    public String id() {
        return ActionTypes.SCALE;
    }

    @Override
    public String description() {
        return "Set the replicas of a Deployment or StatefulSet (through its HPA's floor when an HPA owns the count).";
    }

    @Override
    public Set<String> targetKinds() {
        return Set.of("Deployment", "StatefulSet");
    }

    @Override
    public Map<String, Object> parametersSchema() {
        return Schemas.object(Map.of("replicas", Schemas.integer(1, 1000, "the desired number of replicas")),
                List.of("replicas"));
    }

    @Override
    public Set<Permission> permissions() {
        return Set.of(WorkloadPatcher.permission("Deployment", "get"), WorkloadPatcher.permission("Deployment", "patch"),
                WorkloadPatcher.permission("StatefulSet", "get"), WorkloadPatcher.permission("StatefulSet", "patch"),
                LIST_HPA, PATCH_HPA);
    }

    @Override
    public String enableKey() {
        return "enable_scaling";
    }

    @Override
    protected String eventReasonPrefix() {
        return "Scale";
    }

    /** Replicas per {@code spec.replicas} (1 when unset, as the API defaults it). */
    static int replicasOf(KubernetesObject o) {
        Integer r = null;
        if (o instanceof V1Deployment d && d.getSpec() != null) r = d.getSpec().getReplicas();
        if (o instanceof V1StatefulSet s && s.getSpec() != null) r = s.getSpec().getReplicas();
        return r == null ? 1 : r;
    }

    /** Problems with going from {@code current} to {@code requested} replicas under {@code limits}. */
    public static List<String> limitProblems(SafetyConfig limits, ResourceRef target, int current, long requested) {
        List<String> problems = new ArrayList<>();
        if (requested < 1) problems.add("refused: scaling " + target + " to " + requested + " replicas would take it down");
        if (requested > limits.maxReplicas()) {
            problems.add("refused: " + requested + " replicas for " + target + " is above safety.max_replicas=" + limits.maxReplicas());
        }
        double base = Math.max(1, current);
        double factor = requested >= base ? requested / base : base / Math.max(1, requested);
        if (factor > limits.maxScaleFactor() + 1e-9) {
            problems.add(String.format("refused: %d -> %d replicas for %s is a factor of %.2f, above safety.max_scale_factor=%s",
                    current, requested, target, factor, limits.maxScaleFactor()));
        }
        return problems;
    }

    @Override
    protected List<String> check(ActionRequest request, ActionContext context) throws KubeCallException {
        return plan(request, context).problems;
    }

    private static final class Plan {
        final List<String> problems = new ArrayList<>();
        int current;
        V2HorizontalPodAutoscaler hpa;
        String resourceVersion;
    }

    private Plan plan(ActionRequest request, ActionContext context) throws KubeCallException {
        Plan p = new Plan();
        long requested = request.longParam("replicas", -1);
        KubernetesObject obj = patcher.read(context.apiClient(), request.target());
        p.current = replicasOf(obj);
        p.resourceVersion = obj.getMetadata().getResourceVersion();
        p.problems.addAll(limitProblems(limits, request.target(), p.current, requested));
        p.hpa = hpaFor(context.apiClient(), request.target()).orElse(null);
        if (p.hpa != null) {
            int min = p.hpa.getSpec().getMinReplicas() == null ? 1 : p.hpa.getSpec().getMinReplicas();
            int max = p.hpa.getSpec().getMaxReplicas();
            String hpaName = "HorizontalPodAutoscaler " + p.hpa.getMetadata().getName();
            if (requested > max) {
                p.problems.add("refused: " + hpaName + " owns the replicas of " + request.target() + " and allows at most "
                        + max + "; raise its maxReplicas by hand if " + requested + " is right");
            } else if (requested < min) {
                p.problems.add("refused: " + hpaName + " owns the replicas of " + request.target() + " with minReplicas="
                        + min + "; scaling below it would be undone");
            }
        }
        return p;
    }

    private Optional<V2HorizontalPodAutoscaler> hpaFor(ApiClient client, ResourceRef target) throws KubeCallException {
        AutoscalingV2Api api = new AutoscalingV2Api(client);
        List<V2HorizontalPodAutoscaler> items = kube.call(LIST_HPA, "HorizontalPodAutoscalers in " + target.namespace(),
                () -> api.listNamespacedHorizontalPodAutoscaler(target.namespace()).execute()).getItems();
        return items.stream().filter(h -> h.getSpec() != null && h.getSpec().getScaleTargetRef() != null
                && target.kind().equals(h.getSpec().getScaleTargetRef().getKind())
                && target.name().equals(h.getSpec().getScaleTargetRef().getName())).findFirst();
    }

    @Override
    protected ActionResult run(ActionRequest request, ActionContext context) throws KubeCallException {
        Plan p = plan(request, context);
        if (!p.problems.isEmpty()) return ActionResult.failed(String.join("; ", p.problems));
        int requested = (int) request.longParam("replicas", -1);
        ResourceRef target = request.target();
        Map<String, Object> undo = new LinkedHashMap<>();
        String msg;
        if (p.hpa != null) {
            Integer floor = p.hpa.getSpec().getMinReplicas();
            int min = floor == null ? 1 : floor;
            String hpaName = p.hpa.getMetadata().getName();
            if (min >= requested || p.current >= requested) {
                return ActionResult.skipped(target + " already runs " + p.current + " replicas (HPA " + hpaName
                        + " minReplicas=" + min + ")");
            }
            patchHpaFloor(context.apiClient(), target.namespace(), hpaName, requested, p.hpa.getMetadata().getResourceVersion(),
                    dryRun(request));
            undo.put("hpa", hpaName);
            undo.put("previousMinReplicas", floor == null ? 1 : floor);
            msg = "raised minReplicas of HorizontalPodAutoscaler " + hpaName + " from " + min + " to " + requested
                    + " so that it scales " + target + " from " + p.current;
        } else {
            if (p.current == requested) return ActionResult.skipped(target + " already has " + requested + " replicas");
            setReplicas(context.apiClient(), target, requested, p.resourceVersion, dryRun(request));
            undo.put("previousReplicas", p.current);
            msg = "scaled " + target + " from " + p.current + " to " + requested + " replicas";
        }
        undo.put("replicas", requested);
        if (request.dryRun()) return ActionResult.dryRun("would have " + msg + "; accepted with dryRun=All");
        event(context, request, target, EVENT_NORMAL, "Scale", msg);
        return ActionResult.applied(msg, undo);
    }

    private void setReplicas(ApiClient client, ResourceRef target, int replicas, String rv, String dryRun) throws KubeCallException {
        JsonPatch patch = new JsonPatch().add("/spec/replicas", replicas).precondition(rv);
        patcher.patch(client, target, V1Patch.PATCH_FORMAT_JSON_PATCH, patch.toJson(), dryRun);
    }

    private void patchHpaFloor(ApiClient client, String ns, String name, int min, String rv, String dryRun) throws KubeCallException {
        AutoscalingV2Api api = new AutoscalingV2Api(client);
        V1Patch patch = new V1Patch(new JsonPatch().add("/spec/minReplicas", min).precondition(rv).toJson());
        kube.patch(V2HorizontalPodAutoscaler.class, PATCH_HPA, "HorizontalPodAutoscaler/" + ns + "/" + name,
                V1Patch.PATCH_FORMAT_JSON_PATCH, client,
                () -> api.patchNamespacedHorizontalPodAutoscaler(name, ns, patch).dryRun(dryRun).buildCall(null));
    }

    @Override
    public ActionResult undo(ActionRequest original, ActionResult.Applied applied, ActionContext context) {
        return undoGuarded(original, applied, context);
    }

    @Override
    protected ActionResult runUndo(ActionRequest original, ActionResult.Applied applied, ActionContext context)
            throws KubeCallException {
        ResourceRef target = original.target();
        Map<String, Object> u = applied.undoState();
        if (u.get("hpa") instanceof String hpa && u.get("previousMinReplicas") instanceof Number prev) {
            patchHpaFloor(context.apiClient(), target.namespace(), hpa, prev.intValue(), null, dryRun(original));
            String msg = "restored minReplicas=" + prev + " of HorizontalPodAutoscaler " + hpa + " for " + target;
            event(context, original, target, EVENT_NORMAL, "ScaleUndone", msg);
            return original.dryRun() ? ActionResult.dryRun("would have " + msg) : ActionResult.applied(msg, Map.of());
        }
        if (!(u.get("previousReplicas") instanceof Number prev)) {
            return ActionResult.failed("undo of scale on " + target + ": no previous replica count recorded");
        }
        KubernetesObject obj = patcher.read(context.apiClient(), target);
        if (replicasOf(obj) == prev.intValue()) return ActionResult.skipped(target + " already has " + prev + " replicas");
        setReplicas(context.apiClient(), target, prev.intValue(), obj.getMetadata().getResourceVersion(), dryRun(original));
        String msg = "scaled " + target + " back to " + prev + " replicas";
        if (original.dryRun()) return ActionResult.dryRun("would have " + msg);
        event(context, original, target, EVENT_NORMAL, "ScaleUndone", msg);
        return ActionResult.applied(msg, Map.of());
    }
}

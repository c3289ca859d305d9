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
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code adjust-resources}: raises one container's memory (or CPU) limit and request of a Deployment,
 * StatefulSet or DaemonSet by a bounded factor ({@code safety.max_resource_factor}), never above the cap
 * ({@code safety.max_memory} / {@code safety.max_cpu}): a raise that would pass the cap is cut to it, and a
 * container already at the cap is refused. Meant for OOM-killed workloads. Reversible: the previous values
 * are restored.
 */
public final class AdjustResourcesAction extends KubeAction implements SupportsDryRun, Reversible {

    /** Marks which incident last raised a container's resource, so a repeated request changes nothing. */
    public static final String ADJUSTED_FOR = "kube-incident.io/adjusted-for";

    private static final BigDecimal MI = BigDecimal.valueOf(1024L * 1024L);
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

    private final WorkloadPatcher patcher;
    private final SafetyConfig limits;

    public AdjustResourcesAction(KubeApi kube, SafetyConfig limits) {
        super(kube);
        this.patcher = new WorkloadPatcher(kube);
        this.limits = limits;
    }

    @Override
    public String id() {
        return ActionTypes.ADJUST_RESOURCES;
    }

    @Override
    public String description() {
        return "Raise a container's memory (or CPU) limit and request by a bounded factor, never above the configured cap.";
    }

    @Override
    public Set<String> targetKinds() {
        return WorkloadPatcher.KINDS;
    }

    @Override
    public Map<String, Object> parametersSchema() {
        return Schemas.object(Map.of(
                "container", Schemas.string("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", 63, "container name; default: the only container"),
                "resource", Schemas.enumOf(List.of("memory", "cpu"), "which resource to raise; default memory"),
                "factor", Schemas.number(1.0, 4.0, "multiplier for the limit and request; default 1.5, at most safety.max_resource_factor")),
                List.of());
    }

    @Override
    public Set<Permission> permissions() {
        return WorkloadPatcher.getAndPatch();
    }

    @Override
    public String enableKey() {
        return "enable_resource_update";
    }

    @Override
    protected String eventReasonPrefix() {
        return "AdjustResources";
    }

    /** The computed change, or why there is none. */
    record Plan(int index, String container, String resource, String oldLimit, String newLimit, String oldRequest,
                String newRequest, String resourceVersion, List<String> problems, boolean capped) {
    }

    @Override
    protected List<String> check(ActionRequest request, ActionContext context) throws KubeCallException {
        return plan(request, patcher.read(context.apiClient(), request.target())).problems();
    }

    Plan plan(ActionRequest request, KubernetesObject obj) {
        List<String> problems = new ArrayList<>();
        String resource = request.stringParam("resource", "memory");
        double factor = request.doubleParam("factor", 1.5);
        ResourceRef target = request.target();
        if (!resource.equals("memory") && !resource.equals("cpu")) problems.add("resource must be memory or cpu, was " + resource);
        if (!(factor > 1.0)) problems.add("factor must be above 1, was " + factor);
        if (factor > limits.maxResourceFactor() + 1e-9) {
            problems.add("refused: factor " + factor + " is above safety.max_resource_factor=" + limits.maxResourceFactor());
        }
        V1PodTemplateSpec t = Workloads.podTemplate(obj).orElse(null);
        List<V1Container> containers = t == null || t.getSpec() == null ? List.of() : t.getSpec().getContainers();
        String wanted = request.stringParam("container", null);
        int index = -1;
        if (wanted == null) {
            if (containers.size() == 1) index = 0;
            else problems.add(target + " has " + containers.size() + " containers; name the one to adjust");
        } else {
            for (int i = 0; i < containers.size(); i++) if (wanted.equals(containers.get(i).getName())) index = i;
            if (index < 0) problems.add(target + " has no container " + wanted);
        }
        String rv = obj.getMetadata().getResourceVersion();
        if (!problems.isEmpty()) return new Plan(index, wanted, resource, null, null, null, null, rv, problems, false);
        V1Container c = containers.get(index);
        Quantity limit = c.getResources() == null || c.getResources().getLimits() == null ? null : c.getResources().getLimits().get(resource);
        Quantity req = c.getResources() == null || c.getResources().getRequests() == null ? null : c.getResources().getRequests().get(resource);
        if (limit == null && req == null) {
            problems.add("refused: container " + c.getName() + " of " + target + " sets no " + resource
                    + " limit or request; there is nothing to raise by a factor");
            return new Plan(index, c.getName(), resource, null, null, null, null, rv, problems, false);
        }
        BigDecimal cap = resource.equals("memory") ? limits.maxMemoryBytes() : limits.maxCpuCores();
        BigDecimal f = BigDecimal.valueOf(factor);
        boolean capped = false;
        BigDecimal newLimit = null;
        if (limit != null) {
            newLimit = limit.getNumber().multiply(f);
            if (newLimit.compareTo(cap) > 0) {
                newLimit = cap;
                capped = true;
            }
            if (newLimit.compareTo(limit.getNumber()) <= 0) {
                problems.add("refused: the " + resource + " limit of container " + c.getName() + " of " + target + " ("
                        + limit.toSuffixedString() + ") is already at or above the cap safety.max_" + resource + "=" + format(resource, cap));
            }
        }
        BigDecimal newReq = null;
        if (req != null) {
            newReq = req.getNumber().multiply(f);
            BigDecimal ceiling = newLimit != null ? newLimit : cap;
            if (newReq.compareTo(ceiling) > 0) {
                newReq = ceiling;
                capped |= newLimit == null;
            }
            if (newLimit == null && newReq.compareTo(req.getNumber()) <= 0) {
                problems.add("refused: the " + resource + " request of container " + c.getName() + " of " + target
                        + " is already at or above the cap safety.max_" + resource + "=" + format(resource, cap));
            }
        }
        return new Plan(index, c.getName(), resource, limit == null ? null : limit.toSuffixedString(),
                newLimit == null ? null : format(resource, newLimit), req == null ? null : req.toSuffixedString(),
                newReq == null ? null : format(resource, newReq), rv, problems, capped);
    }

    /** Memory rounded up to whole Mi, CPU up to whole millicores: the forms people read. */
    static String format(String resource, BigDecimal value) {
        if (resource.equals("memory")) {
            return value.divide(MI, 0, RoundingMode.CEILING).toPlainString() + "Mi";
        }
        return value.multiply(THOUSAND).setScale(0, RoundingMode.CEILING).toPlainString() + "m";
    }

    @Override
    protected ActionResult run(ActionRequest request, ActionContext context) throws KubeCallException {
        ResourceRef target = request.target();
        KubernetesObject obj = patcher.read(context.apiClient(), target);
        V1PodTemplateSpec template = Workloads.podTemplate(obj).orElseThrow();
        Plan p = plan(request, obj);
        String marker = request.incidentId() + "/" + p.container() + "/" + p.resource();
        if (marker.equals(Workloads.annotations(template.getMetadata()).get(ADJUSTED_FOR))) {
            return ActionResult.skipped(p.resource() + " of container " + p.container() + " of " + target
                    + " was already raised for incident " + request.incidentId());
        }
        if (!p.problems().isEmpty()) return ActionResult.failed(String.join("; ", p.problems()));
        String base = "/spec/template/spec/containers/" + p.index() + "/resources/";
        JsonPatch patch = new JsonPatch();
        if (p.newLimit() != null) patch.add(base + "limits/" + p.resource(), p.newLimit());
        if (p.newRequest() != null) patch.add(base + "requests/" + p.resource(), p.newRequest());
        WorkloadPatcher.setTemplateAnnotations(patch, template, Map.of(ADJUSTED_FOR, marker));
        patch.precondition(p.resourceVersion());
        patcher.patch(context.apiClient(), target, V1Patch.PATCH_FORMAT_JSON_PATCH, patch.toJson(), dryRun(request));
        String msg = "raised " + p.resource() + " of container " + p.container() + " of " + target
                + (p.newLimit() != null ? ": limit " + p.oldLimit() + " -> " + p.newLimit() : "")
                + (p.newRequest() != null ? (p.newLimit() != null ? "," : ":") + " request " + p.oldRequest() + " -> " + p.newRequest() : "")
                + (p.capped() ? " (cut to the cap safety.max_" + p.resource() + ")" : "");
        if (request.dryRun()) return ActionResult.dryRun("would have " + msg + "; accepted with dryRun=All");
        event(context, request, target, EVENT_NORMAL, "AdjustResources", msg);
        Map<String, Object> undo = new LinkedHashMap<>();
        undo.put("container", p.container());
        undo.put("resource", p.resource());
        undo.put("previousLimit", p.oldLimit() == null ? "" : p.oldLimit());
        undo.put("previousRequest", p.oldRequest() == null ? "" : p.oldRequest());
        undo.put("newLimit", p.newLimit() == null ? "" : p.newLimit());
        undo.put("newRequest", p.newRequest() == null ? "" : p.newRequest());
        return ActionResult.applied(msg, undo);
    }

    @Override
    public ActionResult undo(ActionRequest original, ActionResult.Applied applied, ActionContext context) {
        return undoGuarded(original, applied, context);
    }

    @Override
    protected ActionResult runUndo(ActionRequest original, ActionResult.Applied applied, ActionContext context)
            throws KubeCallException {
        Map<String, Object> u = applied.undoState();
        String container = String.valueOf(u.get("container"));
        String resource = String.valueOf(u.get("resource"));
        ResourceRef target = original.target();
        KubernetesObject obj = patcher.read(context.apiClient(), target);
        List<V1Container> containers = Workloads.podTemplate(obj).map(t -> t.getSpec().getContainers()).orElse(List.of());
        int index = -1;
        for (int i = 0; i < containers.size(); i++) if (container.equals(containers.get(i).getName())) index = i;
        if (index < 0) return ActionResult.failed("undo of adjust-resources on " + target + ": container " + container + " is gone");
        V1Container c = containers.get(index);
        String base = "/spec/template/spec/containers/" + index + "/resources/";
        JsonPatch patch = new JsonPatch();
        restore(patch, base + "limits/" + resource, (String) u.get("previousLimit"),
                c.getResources() != null && c.getResources().getLimits() != null && c.getResources().getLimits().containsKey(resource));
        restore(patch, base + "requests/" + resource, (String) u.get("previousRequest"),
                c.getResources() != null && c.getResources().getRequests() != null && c.getResources().getRequests().containsKey(resource));
        if (patch.isEmpty()) return ActionResult.skipped("nothing to restore on " + target);
        patch.precondition(obj.getMetadata().getResourceVersion());
        patcher.patch(context.apiClient(), target, V1Patch.PATCH_FORMAT_JSON_PATCH, patch.toJson(), dryRun(original));
        String msg = "restored the " + resource + " limit/request of container " + container + " of " + target
                + " to " + u.get("previousLimit") + "/" + u.get("previousRequest");
        if (original.dryRun()) return ActionResult.dryRun("would have " + msg);
        event(context, original, target, EVENT_NORMAL, "AdjustResourcesUndone", msg);
        return ActionResult.applied(msg, Map.of());
    }

    private static void restore(JsonPatch patch, String path, String previous, boolean present) {
        if (previous != null && !previous.isEmpty()) patch.add(path, previous);
        else if (present) patch.remove(path);
    }
}

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
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Node;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code cordon-node}: marks a node unschedulable with a strategic-merge patch, as {@code kubectl cordon}
 * does. Refuses the last schedulable node and more than {@code safety.max_nodes_draining} cordoned at once.
 * An already cordoned node is skipped. Reversible: uncordons, but only a node this action cordoned.
 */
public final class CordonNodeAction extends KubeAction implements SupportsDryRun, Reversible {

    private final SafetyConfig limits;

    public CordonNodeAction(KubeApi kube, SafetyConfig limits) {
        super(kube);
        this.limits = limits;
    }

    @Override
    public String id() {
        return ActionTypes.CORDON_NODE;
    }

    @Override
    public String description() {
        return "Mark a node unschedulable (kubectl cordon); never the last schedulable node.";
    }

    @Override
    public Set<String> targetKinds() {
        return Set.of("Node");
    }

    @Override
    protected boolean namespaced() {
        return false;
    }

    @Override
    public Set<Permission> permissions() {
        return Set.of(NodeGuard.GET, NodeGuard.LIST, NodeGuard.PATCH);
    }

    @Override
    public String enableKey() {
        return "enable_node_drain";
    }

    @Override
    protected String eventReasonPrefix() {
        return "Cordon";
    }

    static V1Node read(KubeApi kube, ApiClient client, ResourceRef target) throws KubeCallException {
        CoreV1Api api = new CoreV1Api(client);
        return kube.call(NodeGuard.GET, target.key(), () -> api.readNode(target.name()).execute());
    }

    /** Strategic-merge patch of {@code spec.unschedulable}, the way kubectl cordons and uncordons. */
    static void setUnschedulable(KubeApi kube, ApiClient client, ResourceRef target, boolean unschedulable, String dryRun)
            throws KubeCallException {
        CoreV1Api api = new CoreV1Api(client);
        V1Patch patch = new V1Patch("{\"spec\":{\"unschedulable\":" + unschedulable + "}}");
        kube.patch(V1Node.class, NodeGuard.PATCH, target.key(), V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, client,
                () -> api.patchNode(target.name(), patch).dryRun(dryRun).buildCall(null));
    }

    @Override
    protected List<String> check(ActionRequest request, ActionContext context) throws KubeCallException {
        V1Node node = read(kube, context.apiClient(), request.target());
        if (!Workloads.nodeSchedulable(node)) return List.of();
        return NodeGuard.problems(kube, context.apiClient(), request.target().name(), limits.maxNodesDraining());
    }

    @Override
    protected ActionResult run(ActionRequest request, ActionContext context) throws KubeCallException {
        ResourceRef target = request.target();
        V1Node node = read(kube, context.apiClient(), target);
        if (!Workloads.nodeSchedulable(node)) return ActionResult.skipped(target + " is already cordoned");
        List<String> problems = NodeGuard.problems(kube, context.apiClient(), target.name(), limits.maxNodesDraining());
        if (!problems.isEmpty()) return ActionResult.failed(String.join("; ", problems));
        setUnschedulable(kube, context.apiClient(), target, true, dryRun(request));
        String msg = "cordoned " + target;
        if (request.dryRun()) return ActionResult.dryRun("would have " + msg + "; accepted with dryRun=All");
        event(context, request, target, EVENT_NORMAL, "Cordon", msg);
        return ActionResult.applied(msg, Map.of("cordonedByUs", true));
    }

    @Override
    public ActionResult undo(ActionRequest original, ActionResult.Applied applied, ActionContext context) {
        return undoGuarded(original, applied, context);
    }

    @Override
    protected ActionResult runUndo(ActionRequest original, ActionResult.Applied applied, ActionContext context)
            throws KubeCallException {
        return uncordon(kube, original, applied, context);
    }

    static ActionResult uncordon(KubeApi kube, ActionRequest original, ActionResult.Applied applied, ActionContext context)
            throws KubeCallException {
        ResourceRef target = original.target();
        if (!Boolean.TRUE.equals(applied.undoState().get("cordonedByUs"))) {
            return ActionResult.skipped(target + " was cordoned before; leaving it cordoned");
        }
        V1Node node = read(kube, context.apiClient(), target);
        if (Workloads.nodeSchedulable(node)) return ActionResult.skipped(target + " is already schedulable");
        setUnschedulable(kube, context.apiClient(), target, false, dryRun(original));
        String msg = "uncordoned " + target;
        if (original.dryRun()) return ActionResult.dryRun("would have " + msg);
        event(context, original, target, EVENT_NORMAL, "Uncordon", msg);
        return ActionResult.applied(msg, Map.of());
    }
}

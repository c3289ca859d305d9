package io.kubeincident.core.action;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.Permission;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.SupportsDryRun;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Deployment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code rollout-restart}: what {@code kubectl rollout restart} does to a Deployment, StatefulSet or
 * DaemonSet (the {@code kubectl.kubernetes.io/restartedAt} template annotation), so the controller replaces
 * the pods in its rolling fashion. Repeating it for the same incident changes nothing. Not reversible.
 */
public final class RolloutRestartAction extends KubeAction implements SupportsDryRun {

    private final WorkloadPatcher patcher;

    public RolloutRestartAction(KubeApi kube) {
        super(kube);
        this.patcher = new WorkloadPatcher(kube);
    }

    @Override
    public String id() {
        return ActionTypes.ROLLOUT_RESTART;
    }

    @Override
    public String description() {
        return "Rolling restart of a Deployment, StatefulSet or DaemonSet (kubectl rollout restart).";
    }

    @Override
    public Set<String> targetKinds() {
        return WorkloadPatcher.KINDS;
    }

    @Override
    public Set<Permission> permissions() {
        return WorkloadPatcher.getAndPatch();
    }

    @Override
    public String enableKey() {
        return "enable_pod_restart";
    }

    @Override
    protected String eventReasonPrefix() {
        return "RolloutRestart";
    }

    @Override
    protected List<String> check(ActionRequest request, ActionContext context) throws KubeCallException {
        KubernetesObject obj = patcher.read(context.apiClient(), request.target());
        List<String> problems = new ArrayList<>();
        if (obj instanceof V1Deployment d && d.getSpec() != null && Boolean.TRUE.equals(d.getSpec().getPaused())) {
            problems.add("refused: " + request.target() + " is paused; a restart would not roll out");
        }
        return problems;
    }

    @Override
    protected ActionResult run(ActionRequest request, ActionContext context) throws KubeCallException {
        List<String> problems = check(request, context);
        if (!problems.isEmpty()) return ActionResult.failed(String.join("; ", problems));
        String marker = request.incidentId() + "/" + id();
        WorkloadPatcher.Restart r = patcher.restart(context.apiClient(), request.target(), marker,
                context.clock().instant(), dryRun(request));
        if (r == WorkloadPatcher.Restart.ALREADY_DONE) {
            return ActionResult.skipped(request.target() + " was already restarted for incident " + request.incidentId());
        }
        if (request.dryRun()) {
            return ActionResult.dryRun("would restart the pods of " + request.target() + "; accepted with dryRun=All");
        }
        String msg = "rolling restart of " + request.target() + " started";
        event(context, request, request.target(), EVENT_NORMAL, "RolloutRestart", msg);
        return ActionResult.applied(msg, Map.of());
    }
}

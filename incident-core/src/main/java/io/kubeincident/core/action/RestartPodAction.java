package io.kubeincident.core.action;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.Permission;
import io.kubeincident.core.correlate.OwnerChains;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.spi.SupportsDryRun;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;

import java.util.List;
import java.util.Set;

/**
 * Deletes a pod that has a controller, which recreates it. A bare pod is never deleted: it would be
 * gone for good.
 */
public final class RestartPodAction implements RemediationAction, SupportsDryRun {

    public static final class Provider implements RemediationActionProvider {
        @Override
        public RemediationAction create(ProviderContext context) {
            return new RestartPodAction();
        }
    }

    @Override
    public String id() {
        return ActionTypes.RESTART_POD;
    }

    @Override
    public String description() {
        return "Delete a pod that has a controller so that the controller recreates it.";
    }

    @Override
    public Set<String> targetKinds() {
        return Set.of("Pod");
    }

    @Override
    public Set<Permission> permissions() {
        return Set.of(Permission.core("pods", "get"), Permission.core("pods", "delete"));
    }

    @Override
    public String enableKey() {
        return "remediation.enable_pod_restart";
    }

    @Override
    public List<String> validate(ActionRequest request, ActionContext context) {
        try {
            V1Pod pod = new CoreV1Api(context.apiClient())
                    .readNamespacedPod(request.target().name(), request.target().namespace()).execute();
            if (OwnerChains.controllerOf(pod) == null) {
                return List.of("pod " + request.target() + " has no controller: deleting it would remove it for good");
            }
            return List.of();
        } catch (ApiException e) {
            if (e.getCode() == 404) return List.of();  // gone: execute() reports it as skipped
            return List.of("cannot read pod " + request.target() + ": HTTP " + e.getCode());
        }
    }

    @Override
    public ActionResult execute(ActionRequest request, ActionContext context) {
        CoreV1Api core = new CoreV1Api(context.apiClient());
        String ns = request.target().namespace();
        String name = request.target().name();
        try {
            V1Pod pod = core.readNamespacedPod(name, ns).execute();
            if (OwnerChains.controllerOf(pod) == null) {
                return ActionResult.failed("refused: pod " + request.target() + " has no controller");
            }
            if (request.target().uid() != null && !request.target().uid().equals(pod.getMetadata().getUid())) {
                return ActionResult.skipped("pod " + request.target() + " was already replaced");
            }
            var delete = core.deleteNamespacedPod(name, ns);
            if (request.dryRun()) {
                delete.dryRun("All").execute();
                return ActionResult.dryRun("would delete pod " + request.target() + " (server-side dry-run accepted)");
            }
            delete.execute();
            context.recordEvent(request.target(), "Normal", "KubeIncidentRestart",
                    "kube-incident deleted the pod to restart it (incident " + request.incidentId() + ")");
            return ActionResult.applied("deleted pod " + request.target() + "; its controller recreates it");
        } catch (ApiException e) {
            return switch (e.getCode()) {
                case 404 -> ActionResult.skipped("pod " + request.target() + " is already gone");
                case 403 -> ActionResult.failed("forbidden: needs 'delete pods' in namespace " + ns);
                default -> e.getCode() >= 500 || e.getCode() == 0
                        ? ActionResult.failedRetryable("deleting pod " + request.target() + ": HTTP " + e.getCode())
                        : ActionResult.failed("deleting pod " + request.target() + ": HTTP " + e.getCode());
            };
        }
    }
}

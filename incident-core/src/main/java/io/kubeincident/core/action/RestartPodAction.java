package io.kubeincident.core.action;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.Permission;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.SupportsDryRun;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1DeleteOptions;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Preconditions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code restart-pod}: deletes a pod that has a controller, which recreates it. A bare pod is never deleted
 * (it would be gone for good): the action refuses and the plan escalates instead. The delete carries the
 * pod's uid as a precondition, so a pod already replaced under the same name (StatefulSet) is left alone.
 * Not reversible.
 */
public final class RestartPodAction extends KubeAction implements SupportsDryRun {

    static final Permission GET = Permission.core("pods", "get");
    static final Permission DELETE = Permission.core("pods", "delete");

    public RestartPodAction(KubeApi kube) {
        super(kube);
    }

    /** With the default retries (3 attempts, waiting for real). */
    public RestartPodAction() {
        this(KubeApi.defaults());
    }

    @Override
    public String id() {
        return ActionTypes.RESTART_POD;
    }

    @Override
    public String description() {
        return "Delete one pod that has a controller so that the controller recreates it (bare pods are refused).";
    }

    @Override
    public Set<String> targetKinds() {
        return Set.of("Pod");
    }

    @Override
    public Map<String, Object> parametersSchema() {
        return Schemas.object(Map.of("gracePeriodSeconds",
                Schemas.integer(0, 300, "seconds the pod gets to shut down; default: the pod's own setting")), List.of());
    }

    @Override
    public Set<Permission> permissions() {
        return Set.of(GET, DELETE);
    }

    @Override
    public String enableKey() {
        return "enable_pod_restart";
    }

    @Override
    protected String eventReasonPrefix() {
        return "Restart";
    }

    @Override
    protected List<String> check(ActionRequest request, ActionContext context) throws KubeCallException {
        V1Pod pod = read(request, context);
        List<String> problems = new ArrayList<>();
        refusal(pod, request.target()).ifPresent(problems::add);
        return problems;
    }

    @Override
    protected ActionResult run(ActionRequest request, ActionContext context) throws KubeCallException {
        ResourceRef target = request.target();
        V1Pod pod = read(request, context);
        String uid = pod.getMetadata().getUid();
        if (target.uid() != null && uid != null && !target.uid().equals(uid)) {
            return ActionResult.skipped(target + " was already replaced (uid " + uid + " is not " + target.uid() + ")");
        }
        Optional<String> refused = refusal(pod, target);
        if (refused.isPresent()) return ActionResult.failed(refused.get());
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return ActionResult.skipped(target + " is already terminating");
        }
        V1DeleteOptions options = new V1DeleteOptions().preconditions(new V1Preconditions().uid(uid));
        Long grace = request.parameters().containsKey("gracePeriodSeconds") ? request.longParam("gracePeriodSeconds", 30) : null;
        if (grace != null) options.gracePeriodSeconds(grace);
        // with a body the API server takes dryRun from the body and ignores the query parameter: set both
        if (request.dryRun()) options.dryRun(List.of("All"));
        CoreV1Api api = new CoreV1Api(context.apiClient());
        kube.call(DELETE, target.key(), () -> api.deleteNamespacedPod(target.name(), target.namespace())
                .body(options).dryRun(dryRun(request)).gracePeriodSeconds(grace == null ? null : grace.intValue()).execute());
        V1OwnerReference owner = Workloads.controllerOf(pod.getMetadata()).orElseThrow();
        if (request.dryRun()) {
            return ActionResult.dryRun("would delete " + target + " (owned by " + owner.getKind() + " " + owner.getName()
                    + ", which recreates it); the API server accepted it with dryRun=All");
        }
        String msg = "deleted " + target + " so that " + owner.getKind() + " " + owner.getName() + " recreates it";
        event(context, request, target, EVENT_NORMAL, "Restart", msg);
        Map<String, Object> undo = new LinkedHashMap<>();
        undo.put("podUid", uid);
        undo.put("owner", owner.getKind() + "/" + owner.getName());
        if (pod.getSpec() != null && pod.getSpec().getNodeName() != null) undo.put("node", pod.getSpec().getNodeName());
        return ActionResult.applied(msg, undo);
    }

    private V1Pod read(ActionRequest request, ActionContext context) throws KubeCallException {
        ResourceRef t = request.target();
        CoreV1Api api = new CoreV1Api(context.apiClient());
        return kube.call(GET, t.key(), () -> api.readNamespacedPod(t.name(), t.namespace()).execute());
    }

    private static Optional<String> refusal(V1Pod pod, ResourceRef target) {
        if (Workloads.controllerOf(pod.getMetadata()).isEmpty()) {
            return Optional.of("refused: " + target + " has no controller; deleting it would remove it for good (escalate instead)");
        }
        if (pod.getMetadata().getAnnotations() != null && pod.getMetadata().getAnnotations().containsKey(Workloads.MIRROR_POD)) {
            return Optional.of("refused: " + target + " is a static (mirror) pod; deleting it through the API does not restart it");
        }
        return Optional.empty();
    }
}

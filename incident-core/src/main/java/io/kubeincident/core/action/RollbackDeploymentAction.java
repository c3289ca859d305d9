package io.kubeincident.core.action;

import com.google.gson.JsonElement;
import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.Permission;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.Reversible;
import io.kubeincident.spi.SupportsDryRun;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code rollback-deployment}: what {@code kubectl rollout undo} does. client-java has no rollback (the
 * Deployment rollback subresource is long gone from the API; kubectl does it client-side), so this is ours:
 * pick the Deployment's ReplicaSet with the wanted revision (the previous one by default), take its pod
 * template without the {@code pod-template-hash} label, carry the ReplicaSet's annotations over as kubectl
 * does, and JSON-patch the Deployment. Refuses a paused Deployment and one without an earlier revision.
 * Reversible: undo rolls back to the revision that was current before.
 */
public final class RollbackDeploymentAction extends KubeAction implements SupportsDryRun, Reversible {

    static final Permission GET = Permission.of("apps", "deployments", "get");
    static final Permission PATCH = Permission.of("apps", "deployments", "patch");
    static final Permission LIST_RS = Permission.of("apps", "replicasets", "list");

    /** Deployment annotations kubectl keeps from the Deployment instead of copying them from the ReplicaSet. */
    static final Set<String> ANNOTATIONS_TO_SKIP = Set.of(
            "kubectl.kubernetes.io/last-applied-configuration",
            Workloads.REVISION,
            "deployment.kubernetes.io/revision-history",
            "deployment.kubernetes.io/desired-replicas",
            "deployment.kubernetes.io/max-replicas",
            "deprecated.deployment.rollback.to");

    public RollbackDeploymentAction(KubeApi kube) {
        super(kube);
    }

    @Override
    public String id() {
        return ActionTypes.ROLLBACK_DEPLOYMENT;
    }

    @Override
    public String description() {
        return "Roll a Deployment back to its previous revision or a named one (kubectl rollout undo).";
    }

    @Override
    public Set<String> targetKinds() {
        return Set.of("Deployment");
    }

    @Override
    public Map<String, Object> parametersSchema() {
        return Schemas.object(Map.of("toRevision",
                Schemas.integer(1, Integer.MAX_VALUE, "the revision to go back to; default: the previous one")), List.of());
    }

    @Override
    public Set<Permission> permissions() {
        return Set.of(GET, PATCH, LIST_RS);
    }

    @Override
    public String enableKey() {
        return "enable_rollback";
    }

    @Override
    protected String eventReasonPrefix() {
        return "Rollback";
    }

    /** What a rollback would do: the chosen ReplicaSet and revisions, or why it cannot. */
    record Plan(V1Deployment deployment, long currentRevision, V1ReplicaSet replicaSet, long toRevision,
                String refusal, boolean alreadyThere) {
    }

    @Override
    protected List<String> check(ActionRequest request, ActionContext context) throws KubeCallException {
        Plan p = plan(context.apiClient(), request.target(), request.longParam("toRevision", 0));
        return p.refusal() == null ? List.of() : List.of(p.refusal());
    }

    Plan plan(ApiClient client, ResourceRef target, long toRevision) throws KubeCallException {
        AppsV1Api api = new AppsV1Api(client);
        V1Deployment d = kube.call(GET, target.key(), () -> api.readNamespacedDeployment(target.name(), target.namespace()).execute());
        if (d.getSpec() != null && Boolean.TRUE.equals(d.getSpec().getPaused())) {
            return new Plan(d, 0, null, toRevision, "refused: " + target
                    + " is paused; a rollback would not roll out (resume it first)", false);
        }
        String uid = d.getMetadata().getUid();
        String selector = d.getSpec() == null || d.getSpec().getSelector() == null || d.getSpec().getSelector().getMatchLabels() == null
                ? null
                : d.getSpec().getSelector().getMatchLabels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .sorted().collect(Collectors.joining(","));
        List<V1ReplicaSet> all = kube.call(LIST_RS, "ReplicaSets in " + target.namespace(),
                () -> api.listNamespacedReplicaSet(target.namespace()).labelSelector(selector).execute()).getItems();
        TreeMap<Long, V1ReplicaSet> byRevision = new TreeMap<>();
        for (V1ReplicaSet rs : all) {
            Optional<V1OwnerReference> owner = Workloads.controllerOf(rs.getMetadata());
            if (owner.isEmpty() || !"Deployment".equals(owner.get().getKind())) continue;
            if (uid != null ? !uid.equals(owner.get().getUid()) : !target.name().equals(owner.get().getName())) continue;
            if (rs.getSpec() != null && rs.getSpec().getSelector() != null && d.getSpec() != null
                    && rs.getSpec().getTemplate() != null
                    && !Workloads.matches(d.getSpec().getSelector(), rs.getSpec().getTemplate().getMetadata() == null
                    ? Map.of() : rs.getSpec().getTemplate().getMetadata().getLabels())) {
                continue;
            }
            long rev = revision(Workloads.annotations(rs.getMetadata()).get(Workloads.REVISION));
            if (rev > 0) byRevision.merge(rev, rs, (a, b) -> a);
        }
        long current = revision(Workloads.annotations(d.getMetadata()).get(Workloads.REVISION));
        if (byRevision.isEmpty()) {
            return new Plan(d, current, null, toRevision, "refused: " + target + " has no rollout history (no ReplicaSets with a revision)", false);
        }
        if (current <= 0) current = byRevision.lastKey();
        V1ReplicaSet chosen;
        long chosenRevision;
        if (toRevision > 0) {
            chosen = byRevision.get(toRevision);
            chosenRevision = toRevision;
            if (chosen == null) {
                return new Plan(d, current, null, toRevision, "refused: revision " + toRevision + " of " + target
                        + " is not in its history (revisions: " + byRevision.keySet() + ")", false);
            }
        } else {
            // kubectl's previous revision: the second highest of all ReplicaSet revisions
            if (byRevision.size() < 2) {
                return new Plan(d, current, null, 0, "refused: " + target + " has no earlier revision to go back to (only revision "
                        + byRevision.lastKey() + ")", false);
            }
            chosenRevision = byRevision.lowerKey(byRevision.lastKey());
            chosen = byRevision.get(chosenRevision);
        }
        boolean already = sameTemplate(chosen.getSpec().getTemplate(), d.getSpec().getTemplate());
        return new Plan(d, current, chosen, chosenRevision, null, already);
    }

    static long revision(String s) {
        if (s == null) return 0;
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static V1PodTemplateSpec withoutHash(V1PodTemplateSpec t) {
        V1PodTemplateSpec copy = JSON.deserialize(JSON.serialize(t), V1PodTemplateSpec.class);
        if (copy.getMetadata() != null && copy.getMetadata().getLabels() != null) {
            Map<String, String> labels = new LinkedHashMap<>(copy.getMetadata().getLabels());
            labels.remove(Workloads.POD_TEMPLATE_HASH);
            copy.getMetadata().setLabels(labels);
        }
        return copy;
    }

    static boolean sameTemplate(V1PodTemplateSpec a, V1PodTemplateSpec b) {
        if (a == null || b == null) return a == b;
        JsonElement ja = JSON.getGson().toJsonTree(withoutHash(a));
        JsonElement jb = JSON.getGson().toJsonTree(withoutHash(b));
        return ja.equals(jb);
    }

    @Override
    protected ActionResult run(ActionRequest request, ActionContext context) throws KubeCallException {
        return rollback(request, context, request.longParam("toRevision", 0), false);
    }

    private ActionResult rollback(ActionRequest request, ActionContext context, long toRevision, boolean undo) throws KubeCallException {
        ResourceRef target = request.target();
        Plan p = plan(context.apiClient(), target, toRevision);
        if (p.refusal() != null) return ActionResult.failed(p.refusal());
        String rsName = p.replicaSet().getMetadata().getName();
        if (p.alreadyThere()) {
            return ActionResult.skipped(target + " already runs the template of revision " + p.toRevision()
                    + " (ReplicaSet " + rsName + ")");
        }
        V1Deployment d = p.deployment();
        Map<String, String> deploymentAnnotations = Workloads.annotations(d.getMetadata());
        Map<String, String> annotations = new TreeMap<>();
        for (String k : ANNOTATIONS_TO_SKIP) {
            if (deploymentAnnotations.containsKey(k)) annotations.put(k, deploymentAnnotations.get(k));
        }
        for (Map.Entry<String, String> e : Workloads.annotations(p.replicaSet().getMetadata()).entrySet()) {
            if (!ANNOTATIONS_TO_SKIP.contains(e.getKey())) annotations.put(e.getKey(), e.getValue());
        }
        JsonPatch patch = new JsonPatch()
                .replace("/spec/template", withoutHash(p.replicaSet().getSpec().getTemplate()));
        patch.add("/metadata/annotations", annotations);  // add replaces, and works where the map is absent
        patch.precondition(d.getMetadata().getResourceVersion());
        AppsV1Api api = new AppsV1Api(context.apiClient());
        V1Patch body = new V1Patch(patch.toJson());
        kube.patch(V1Deployment.class, PATCH, target.key(), V1Patch.PATCH_FORMAT_JSON_PATCH, context.apiClient(),
                () -> api.patchNamespacedDeployment(target.name(), target.namespace(), body).dryRun(dryRun(request)).buildCall(null));
        String msg = (undo ? "undid rollback of " : "rolled back ") + target + " from revision " + p.currentRevision()
                + " to revision " + p.toRevision() + " (ReplicaSet " + rsName + ", images " + images(p.replicaSet()) + ")";
        if (request.dryRun()) return ActionResult.dryRun("would have " + msg + "; accepted with dryRun=All");
        event(context, request, target, EVENT_NORMAL, undo ? "RollbackUndone" : "Rollback", msg);
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("fromRevision", p.currentRevision());
        u.put("toRevision", p.toRevision());
        u.put("replicaSet", rsName);
        return ActionResult.applied(msg, u);
    }

    private static String images(V1ReplicaSet rs) {
        if (rs.getSpec() == null || rs.getSpec().getTemplate() == null || rs.getSpec().getTemplate().getSpec() == null) return "[]";
        List<String> images = new ArrayList<>();
        rs.getSpec().getTemplate().getSpec().getContainers().forEach(c -> images.add(c.getImage()));
        return images.toString();
    }

    @Override
    public ActionResult undo(ActionRequest original, ActionResult.Applied applied, ActionContext context) {
        return undoGuarded(original, applied, context);
    }

    @Override
    protected ActionResult runUndo(ActionRequest original, ActionResult.Applied applied, ActionContext context)
            throws KubeCallException {
        if (!(applied.undoState().get("fromRevision") instanceof Number from) || from.longValue() <= 0) {
            return ActionResult.failed("undo of rollback on " + original.target() + ": no previous revision recorded");
        }
        return rollback(original, context, from.longValue(), true);
    }
}

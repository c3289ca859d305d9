package io.kubeincident.argocd;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.argocd.client.ArgoCdClient;
import io.kubeincident.argocd.client.ArgoResult;
import io.kubeincident.argocd.client.SyncRequest;
import io.kubeincident.argocd.model.Application;
import io.kubeincident.argocd.model.SyncResource;
import io.kubeincident.spi.ActionContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code argocd-sync}: syncs the Argo CD application that manages the target (or the target Application)
 * to its target revision or to a given one, waits (bounded) for the operation to finish and the app to turn
 * Healthy. Prune is off unless asked for. Undo syncs back to the revision the app was at before.
 *
 * <p>Parameters: {@code revision} (optional), {@code prune} (default false), {@code target_only} (sync only
 * the target resource, default false).
 */
public final class ArgoSyncAction extends ArgoActionSupport {
    static final Pattern REVISION = Pattern.compile("[A-Za-z0-9._/@:+-]{1,255}");

    public ArgoSyncAction(ArgoCd argo) {
        this(argo, ArgoCdClient.Sleeper.REAL);
    }

    public ArgoSyncAction(ArgoCd argo, ArgoCdClient.Sleeper sleeper) {
        super(argo, sleeper);
    }

    @Override
    public String id() {
        return ActionTypes.ARGOCD_SYNC;
    }

    @Override
    public String description() {
        return "Sync the Argo CD application managing the target to its Git target revision (or a given revision); "
                + "the GitOps way to undo drift; waits for Healthy";
    }

    @Override
    public Map<String, Object> parametersSchema() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("revision", Map.of("type", "string", "pattern", REVISION.pattern(),
                "description", "Git revision to sync to; default: the application's target revision"));
        props.put("prune", Map.of("type", "boolean", "default", false,
                "description", "delete resources no longer in Git"));
        props.put("target_only", Map.of("type", "boolean", "default", false,
                "description", "sync only the target resource instead of the whole application"));
        return Map.of("type", "object", "properties", props, "additionalProperties", false);
    }

    @Override
    public List<String> validate(ActionRequest request, ActionContext context) {
        List<String> problems = new ArrayList<>();
        String revision = request.stringParam("revision", null);
        if (revision != null && !REVISION.matcher(revision).matches()) {
            problems.add("revision: not a Git revision: " + revision);
        }
        Found f = resolve(request.target(), context);
        if (f.app() == null) problems.add(f.problem());
        return problems;
    }

    @Override
    public ActionResult execute(ActionRequest request, ActionContext context) {
        String revision = request.stringParam("revision", null);
        if (revision != null && !REVISION.matcher(revision).matches()) {
            return ActionResult.failed("revision: not a Git revision: " + revision);
        }
        Found f = resolve(request.target(), context);
        if (f.app() == null) return ActionResult.failed(f.problem());
        AppRef app = f.app();
        return oneAtATime(app, () -> sync(request, context, app, revision));
    }

    private ActionResult sync(ActionRequest request, ActionContext context, AppRef app, String revision) {
        ArgoResult<Application> current = argo.client().getApplication(app);
        if (!current.isOk()) return failure("reading Argo CD application '" + app + "'", current.error());
        Application before = current.value();
        String fromRevision = liveRevision(before);

        List<SyncResource> resources = new ArrayList<>();
        ResourceRef t = request.target();
        if (request.booleanParam("target_only", false) && !AppRef.KIND.equals(t.kind())) {
            resources.add(new SyncResource(AppResolver.groupOf(t.kind()), t.kind(), t.namespace(), t.name()));
        }
        SyncRequest sync = new SyncRequest(revision, resources, request.booleanParam("prune", false), request.dryRun());
        String what = "Argo CD sync of application '" + app + "'" + (revision == null ? "" : " to revision " + revision)
                + (resources.isEmpty() ? "" : " limited to " + t) + (sync.prune() ? " with prune" : "");

        ArgoResult<Application> r = argo.client().sync(app, sync);
        if (!r.isOk()) return failure(what, r.error());
        if (request.dryRun()) return ActionResult.dryRun("Argo CD accepted a dry-run " + what);

        event(context, request, "ArgoCDSync", what + " started by kube-incident (incident " + request.incidentId() + ")");
        Map<String, Object> undo = new HashMap<>();
        undo.put(UNDO_APP, app.name());
        if (app.namespace() != null) undo.put(UNDO_APP_NAMESPACE, app.namespace());
        if (fromRevision != null) undo.put(UNDO_FROM_REVISION, fromRevision);
        if (revision != null) undo.put(UNDO_TO_REVISION, revision);
        return settle(app, what, undo, () -> {
        });
    }

    /** Syncs back to the revision the application was at before the sync. */
    @Override
    public ActionResult undo(ActionRequest original, ActionResult.Applied applied, ActionContext context) {
        AppRef app = appFromUndo(applied);
        String fromRevision = str(applied.undoState().get(UNDO_FROM_REVISION));
        if (app == null || fromRevision == null) {
            return ActionResult.failed("cannot undo argocd-sync: the revision before the sync was not recorded");
        }
        ArgoResult<Application> current = argo.client().getApplication(app);
        if (!current.isOk()) return failure("reading Argo CD application '" + app + "'", current.error());
        if (fromRevision.equals(liveRevision(current.value()))) {
            return ActionResult.skipped("application '" + app + "' is already at revision " + shortRev(fromRevision));
        }
        String what = "undo of argocd-sync: Argo CD sync of application '" + app + "' back to revision "
                + shortRev(fromRevision);
        ArgoResult<Application> r = argo.client().sync(app, SyncRequest.defaults().withRevision(fromRevision));
        if (!r.isOk()) return failure(what, r.error());
        event(context, original, "ArgoCDSync", what);
        Map<String, Object> undo = new HashMap<>(Map.of(UNDO_APP, app.name()));
        if (app.namespace() != null) undo.put(UNDO_APP_NAMESPACE, app.namespace());
        return settle(app, what, undo, () -> {
        });
    }
}

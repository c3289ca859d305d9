package io.kubeincident.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.argocd.client.ArgoCdClient;
import io.kubeincident.argocd.client.ArgoError;
import io.kubeincident.argocd.client.ArgoResult;
import io.kubeincident.argocd.client.SyncRequest;
import io.kubeincident.argocd.model.Application;
import io.kubeincident.argocd.model.RevisionHistory;
import io.kubeincident.spi.ActionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code argocd-rollback}: rolls the Argo CD application that manages the target back to an earlier
 * history entry (by default the newest earlier one this process saw Healthy, else the one before the
 * current), waits (bounded) for the operation and for Healthy.
 *
 * <p>Argo CD refuses a rollback while auto-sync is on ("rollback cannot be initiated when auto-sync is
 * enabled"). Then this action refuses with that reason, unless {@code argocd.allow_disable_autosync} is
 * true: it records {@code spec.syncPolicy.automated}, turns it off, rolls back, and its undo syncs back to
 * the previous revision and restores the recorded policy. When the rollback fails, the policy is restored
 * at once.
 *
 * <p>Parameters: {@code history_id} (optional): the history entry to roll back to.
 */
public final class ArgoRollbackAction extends ArgoActionSupport {
    private static final Logger LOG = LoggerFactory.getLogger(ArgoRollbackAction.class);
    static final String UNDO_FROM_HISTORY_ID = "fromHistoryId";
    static final String UNDO_TO_HISTORY_ID = "toHistoryId";
    static final String UNDO_PREVIOUS_AUTOMATED = "previousAutomated";
    static final String AUTO_SYNC_REFUSAL = "rollback cannot be initiated when auto-sync is enabled";

    public ArgoRollbackAction(ArgoCd argo) {
        this(argo, ArgoCdClient.Sleeper.REAL);
    }

    public ArgoRollbackAction(ArgoCd argo, ArgoCdClient.Sleeper sleeper) {
        super(argo, sleeper);
    }

    @Override
    public String id() {
        return ActionTypes.ARGOCD_ROLLBACK;
    }

    @Override
    public String description() {
        return "Roll the Argo CD application managing the target back to its last Healthy history entry "
                + "(the GitOps way to undo a bad revision); waits for Healthy";
    }

    @Override
    public Map<String, Object> parametersSchema() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("history_id", Map.of("type", "integer", "minimum", 0,
                "description", "Argo CD history entry id to roll back to; default: the last Healthy entry before the current one"));
        return Map.of("type", "object", "properties", props, "additionalProperties", false);
    }

    @Override
    public List<String> validate(ActionRequest request, ActionContext context) {
        List<String> problems = new ArrayList<>();
        try {
            long id = request.longParam("history_id", 0);
            if (id < 0) problems.add("history_id: must not be negative, was: " + id);
        } catch (NumberFormatException e) {
            problems.add("history_id: not an integer: " + request.parameters().get("history_id"));
        }
        Found f = resolve(request.target(), context);
        if (f.app() == null) problems.add(f.problem());
        return problems;
    }

    @Override
    public ActionResult execute(ActionRequest request, ActionContext context) {
        Long wanted;
        try {
            wanted = request.parameters().containsKey("history_id") ? request.longParam("history_id", -1) : null;
        } catch (NumberFormatException e) {
            return ActionResult.failed("history_id: not an integer: " + request.parameters().get("history_id"));
        }
        if (wanted != null && wanted < 0) return ActionResult.failed("history_id: must not be negative, was: " + wanted);
        Found f = resolve(request.target(), context);
        if (f.app() == null) return ActionResult.failed(f.problem());
        AppRef app = f.app();
        Long historyId = wanted;
        return oneAtATime(app, () -> rollback(request, context, app, historyId));
    }

    private ActionResult rollback(ActionRequest request, ActionContext context, AppRef app, Long wanted) {
        ArgoResult<Application> current = argo.client().getApplication(app);
        if (!current.isOk()) return failure("reading Argo CD application '" + app + "'", current.error());
        Application before = current.value();
        argo.apps().observe(before);
        List<RevisionHistory> history = before.status().history();
        if (history.isEmpty()) return ActionResult.failed("application '" + app + "' has no deployment history to roll back to");
        RevisionHistory latest = history.get(history.size() - 1);
        String fromRevision = liveRevision(before);

        Choice choice = choose(app, history, fromRevision, wanted);
        if (choice.done()) return ActionResult.skipped(choice.why());
        if (choice.entry() == null) return ActionResult.failed(choice.why());
        RevisionHistory to = choice.entry();
        if (to.effectiveRevision() != null && to.effectiveRevision().equals(fromRevision)) {
            return ActionResult.skipped("application '" + app + "' already runs revision "
                    + shortRev(fromRevision) + " (history id " + to.id() + ")");
        }
        String what = "Argo CD rollback of application '" + app + "' from revision " + shortRev(fromRevision)
                + " to history id " + to.id() + " (revision " + shortRev(to.effectiveRevision()) + ", deployed "
                + to.deployedAt() + ", " + choice.why() + ")";

        boolean autoSync = before.autoSyncEnabled();
        if (autoSync && !argo.config().allowDisableAutosync()) {
            return ActionResult.failed("Argo CD refuses: " + AUTO_SYNC_REFUSAL + " (application '" + app
                    + "' has spec.syncPolicy.automated); set argocd.allow_disable_autosync=true to let argocd-rollback "
                    + "turn auto-sync off first and restore it on undo, or fix the revision in Git");
        }
        if (request.dryRun()) {
            if (autoSync) {
                // Argo CD refuses even a dry-run rollback while auto-sync is on, and a dry run must not turn it off.
                return ActionResult.dryRun("would turn auto-sync of application '" + app + "' off (restored by undo), then "
                        + what + "; Argo CD was not asked because it refuses a rollback while auto-sync is on");
            }
            ArgoResult<Application> r = argo.client().rollback(app, to.id(), true);
            if (!r.isOk()) return failure("dry-run " + what, r.error());
            return ActionResult.dryRun("Argo CD accepted a dry-run " + what);
        }

        JsonNode previousAutomated = null;
        if (autoSync) {
            previousAutomated = before.spec().syncPolicy().automated();
            ArgoResult<Application> off = argo.client().patchApplication(app, automatedPatch(null));
            if (!off.isOk()) return failure("turning auto-sync of application '" + app + "' off before the rollback", off.error());
            LOG.info("turned auto-sync of Argo CD application {} off for a rollback (was {})", app, previousAutomated);
        }
        final JsonNode recorded = previousAutomated;
        Runnable restore = () -> restorePolicy(app, recorded);

        ArgoResult<Application> r = argo.client().rollback(app, to.id(), false);
        if (!r.isOk()) {
            restore.run();
            ArgoError e = r.error();
            if (e.kind() == ArgoError.Kind.AUTO_SYNC_ENABLED) {
                return ActionResult.failed("Argo CD refuses: " + e.message() + " (application '" + app
                        + "'); set argocd.allow_disable_autosync=true to let argocd-rollback turn auto-sync off first");
            }
            return failure(what, e);
        }
        event(context, request, "ArgoCDRollback", what + " started by kube-incident (incident " + request.incidentId() + ")"
                + (autoSync ? "; auto-sync turned off until undo" : ""));

        Map<String, Object> undo = new HashMap<>();
        undo.put(UNDO_APP, app.name());
        if (app.namespace() != null) undo.put(UNDO_APP_NAMESPACE, app.namespace());
        if (fromRevision != null) undo.put(UNDO_FROM_REVISION, fromRevision);
        undo.put(UNDO_FROM_HISTORY_ID, latest.id());
        undo.put(UNDO_TO_HISTORY_ID, to.id());
        if (to.effectiveRevision() != null) undo.put(UNDO_TO_REVISION, to.effectiveRevision());
        if (recorded != null) undo.put(UNDO_PREVIOUS_AUTOMATED, recorded.toString());
        ActionResult result = settle(app, what, undo, restore);
        if (autoSync && result instanceof ActionResult.Applied a) {
            return ActionResult.applied(a.message() + "; auto-sync stays off until undo (argocd.allow_disable_autosync)",
                    a.undoState());
        }
        return result;
    }

    /**
     * Undo: syncs back to the revision the application was at before the rollback (auto-sync is still off,
     * so Argo CD allows a sync to a given revision), then restores the recorded sync policy.
     */
    @Override
    public ActionResult undo(ActionRequest original, ActionResult.Applied applied, ActionContext context) {
        AppRef app = appFromUndo(applied);
        String fromRevision = str(applied.undoState().get(UNDO_FROM_REVISION));
        String automatedJson = str(applied.undoState().get(UNDO_PREVIOUS_AUTOMATED));
        if (app == null || fromRevision == null) {
            return ActionResult.failed("cannot undo argocd-rollback: the revision before the rollback was not recorded");
        }
        JsonNode automated = automatedJson == null ? null : parseJson(automatedJson);
        if (automatedJson != null && (automated == null || !automated.isObject())) {
            return ActionResult.failed("cannot undo argocd-rollback: the recorded sync policy is unreadable: " + automatedJson);
        }
        ArgoResult<Application> current = argo.client().getApplication(app);
        if (!current.isOk()) return failure("reading Argo CD application '" + app + "'", current.error());
        Application now = current.value();

        String what = "undo of argocd-rollback: Argo CD sync of application '" + app + "' back to revision "
                + shortRev(fromRevision);
        ActionResult synced;
        if (fromRevision.equals(liveRevision(now))) {
            synced = ActionResult.skipped("application '" + app + "' is already at revision " + shortRev(fromRevision));
        } else {
            ArgoResult<Application> r = argo.client().sync(app, SyncRequest.defaults().withRevision(fromRevision));
            if (!r.isOk()) {
                synced = failure(what, r.error());
            } else {
                event(context, original, "ArgoCDSync", what);
                synced = settle(app, what, Map.of(UNDO_APP, app.name()), () -> {
                });
            }
        }
        if (automated == null) return synced;
        // The recorded policy comes back whatever the sync did: it is how the application was before.
        if (now.autoSyncEnabled()) {
            return appendPolicy(synced, "auto-sync of '" + app + "' was already back on");
        }
        ArgoResult<Application> on = argo.client().patchApplication(app, automatedPatch(automated));
        if (!on.isOk()) {
            return ActionResult.failed(synced.message() + "; restoring auto-sync " + automated + " failed: "
                    + on.error().describe() + " (restore spec.syncPolicy.automated by hand)");
        }
        event(context, original, "ArgoCDAutoSyncRestored", "auto-sync of application '" + app + "' restored to " + automated);
        return appendPolicy(synced, "auto-sync of '" + app + "' restored to " + automated);
    }

    private static ActionResult appendPolicy(ActionResult r, String note) {
        if (r instanceof ActionResult.Applied a) return ActionResult.applied(a.message() + "; " + note, a.undoState());
        if (r instanceof ActionResult.Skipped s) return ActionResult.applied(s.message() + "; " + note);
        if (r instanceof ActionResult.Failed f) return new ActionResult.Failed(f.message() + "; " + note, f.retryable());
        return r;
    }

    private void restorePolicy(AppRef app, JsonNode automated) {
        if (automated == null) return;
        ArgoResult<Application> on = argo.client().patchApplication(app, automatedPatch(automated));
        if (on.isOk()) {
            LOG.info("restored auto-sync of Argo CD application {} to {}", app, automated);
        } else {
            LOG.error("could not restore auto-sync of Argo CD application {} to {}: {} (restore it by hand)",
                    app, automated, on.error().describe());
        }
    }

    /**
     * @param entry the entry to roll back to, or null
     * @param why   how it was chosen, or why there is none
     * @param done  true when the newest entry already is a rollback (nothing to do: idempotence)
     */
    record Choice(RevisionHistory entry, String why, boolean done) {
        Choice(RevisionHistory entry, String why) {
            this(entry, why, false);
        }
    }

    /**
     * The entry to roll back to: {@code wanted} when given; else, unless the newest entry already is a
     * rollback, the newest earlier entry whose revision this process saw Healthy, else the newest earlier
     * entry with another revision. Revisions that were rolled back from before are never chosen by default.
     */
    Choice choose(AppRef app, List<RevisionHistory> history, String currentRevision, Long wanted) {
        if (wanted != null) {
            for (RevisionHistory h : history) {
                if (h.id() == wanted) return new Choice(h, "requested");
            }
            List<Long> ids = history.stream().map(RevisionHistory::id).toList();
            return new Choice(null, "application '" + app + "' has no history entry " + wanted + " (has " + ids + ")");
        }
        int n = history.size();
        RevisionHistory latest = history.get(n - 1);
        if (n >= 2 && redeploysOlder(history, n - 1)) {
            return new Choice(latest, "application '" + app + "' was already rolled back to revision "
                    + shortRev(latest.effectiveRevision()) + " (history id " + latest.id() + ")", true);
        }
        Set<String> rolledBackFrom = new HashSet<>();
        for (int j = 1; j < n; j++) {
            if (!redeploysOlder(history, j)) continue;
            String back = history.get(j).effectiveRevision();
            for (int i = j - 1; i >= 0 && !back.equals(history.get(i).effectiveRevision()); i--) {
                if (history.get(i).effectiveRevision() != null) rolledBackFrom.add(history.get(i).effectiveRevision());
            }
        }
        List<RevisionHistory> earlier = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = n - 2; i >= 0; i--) {
            String rev = history.get(i).effectiveRevision();
            if (rev == null || rev.equals(currentRevision) || rolledBackFrom.contains(rev) || !seen.add(rev)) continue;
            earlier.add(history.get(i));
        }
        if (earlier.isEmpty()) {
            return new Choice(null, "application '" + app + "' has no earlier revision than " + shortRev(currentRevision)
                    + " in its history to roll back to" + (rolledBackFrom.isEmpty() ? "" : " (rolled back from before: "
                    + rolledBackFrom.stream().map(ArgoActionSupport::shortRev).sorted().toList() + ")"));
        }
        List<String> healthy = argo.apps().healthyRevisions(app);
        for (RevisionHistory h : earlier) {
            if (healthy.contains(h.effectiveRevision())) return new Choice(h, "the last revision seen Healthy");
        }
        return new Choice(earlier.get(0), "the revision deployed before the current one");
    }

    /** Entry {@code j} deploys a revision that was deployed before entry {@code j - 1}, and differs from it. */
    private static boolean redeploysOlder(List<RevisionHistory> history, int j) {
        String rev = history.get(j).effectiveRevision();
        if (rev == null || rev.equals(history.get(j - 1).effectiveRevision())) return false;
        for (int i = j - 2; i >= 0; i--) {
            if (rev.equals(history.get(i).effectiveRevision())) return true;
        }
        return false;
    }
}

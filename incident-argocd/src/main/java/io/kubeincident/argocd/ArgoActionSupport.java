package io.kubeincident.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.argocd.client.ArgoCdClient;
import io.kubeincident.argocd.client.ArgoError;
import io.kubeincident.argocd.client.ArgoResult;
import io.kubeincident.argocd.model.Application;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.Reversible;
import io.kubeincident.spi.SupportsDryRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Set;

/** What {@code argocd-sync} and {@code argocd-rollback} share: finding the app, waiting, results. */
abstract class ArgoActionSupport implements RemediationAction, Reversible, SupportsDryRun {
    private static final Logger LOG = LoggerFactory.getLogger(ArgoActionSupport.class);

    /** Kinds accepted as target: the Application itself, or a resource it manages (resolved by tracking). */
    static final Set<String> TARGET_KINDS = Set.of(AppRef.KIND, "Deployment", "StatefulSet", "DaemonSet",
            "ReplicaSet", "Pod", "ConfigMap", "Secret", "Job", "CronJob");

    static final String UNDO_APP = "app";
    static final String UNDO_APP_NAMESPACE = "appNamespace";
    static final String UNDO_FROM_REVISION = "fromRevision";
    static final String UNDO_TO_REVISION = "toRevision";

    protected final ArgoCd argo;
    protected final ArgoCdClient.Sleeper sleeper;
    protected final OperationWaiter waiter;

    ArgoActionSupport(ArgoCd argo, ArgoCdClient.Sleeper sleeper) {
        this.argo = argo;
        this.sleeper = sleeper == null ? ArgoCdClient.Sleeper.REAL : sleeper;
        this.waiter = new OperationWaiter(argo, this.sleeper);
    }

    @Override
    public Set<String> targetKinds() {
        return TARGET_KINDS;
    }

    /** The application behind the request's target, or a failure naming why there is none. */
    protected Found resolve(ResourceRef target, ActionContext context) {
        AppResolver.Resolution r = argo.resolver().resolve(target, context.cluster());
        if (r.managed()) return new Found(r.app(), null);
        String why = r.known()
                ? target + " is not managed by an Argo CD application (no " + ArgoCdConfig.TRACKING_ID_ANNOTATION
                + " annotation or " + argo.config().trackingLabel() + " label on it or its owners)"
                : target + " (or an owner of it) is not in the cluster view, so its Argo CD application is unknown";
        return new Found(null, why);
    }

    record Found(AppRef app, String problem) {
    }

    static ActionResult failure(String what, ArgoError e) {
        String hint = switch (e.kind()) {
            case SYNC_WINDOW_BLOCKED -> " (an Argo CD sync window forbids it now; try again when the window opens)";
            case OPERATION_IN_PROGRESS -> " (wait for the running operation to finish)";
            case PERMISSION_DENIED -> " (the Argo CD account lacks the RBAC permission)";
            case UNAUTHENTICATED -> " (check argocd credentials)";
            default -> "";
        };
        String msg = what + ": " + e.describe() + hint;
        return e.retryable() ? ActionResult.failedRetryable(msg) : ActionResult.failed(msg);
    }

    /** A merge patch setting {@code spec.syncPolicy.automated} to {@code automated} ({@code null} turns it off). */
    protected JsonNode automatedPatch(JsonNode automated) {
        ObjectNode root = argo.client().json().createObjectNode();
        root.putObject("spec").putObject("syncPolicy").set("automated",
                automated == null ? argo.client().json().nullNode() : automated);
        return root;
    }

    protected JsonNode parseJson(String text) {
        try {
            return argo.client().json().readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    protected static AppRef appFromUndo(ActionResult.Applied applied) {
        Object name = applied.undoState().get(UNDO_APP);
        if (name == null) return null;
        Object ns = applied.undoState().get(UNDO_APP_NAMESPACE);
        return new AppRef(name.toString(), ns == null ? null : ns.toString());
    }

    /**
     * The revision running now: the newest history entry (a rollback is recorded there, while
     * {@code status.sync.revision} stays the Git target), else the compared revision.
     */
    static String liveRevision(Application a) {
        var history = a.status().history();
        if (!history.isEmpty() && history.get(history.size() - 1).effectiveRevision() != null) {
            return history.get(history.size() - 1).effectiveRevision();
        }
        return a.syncedRevision();
    }

    /** What the finished operation deployed (after a rollback the compared revision is still Git's). */
    static String deployedRevision(Application a) {
        var op = a.status().operationState();
        if (op != null && op.revision() != null) return op.revision();
        return a.syncedRevision();
    }

    protected static String str(Object o) {
        return o == null ? null : o.toString();
    }

    protected static String shortRev(String revision) {
        if (revision == null) return "unknown";
        return revision.length() > 12 && revision.matches("[0-9a-f]+") ? revision.substring(0, 12) : revision;
    }

    protected void event(ActionContext context, ActionRequest request, String reason, String message) {
        try {
            context.recordEvent(request.target(), "Normal", reason, message);
        } catch (RuntimeException e) {
            LOG.debug("could not record event on {}: {}", request.target(), e.toString());
        }
    }

    /** Waits after an accepted operation; maps how it ended to a result (terminating an overdue operation). */
    protected ActionResult settle(AppRef app, String what, java.util.Map<String, Object> undoState, Runnable onGiveUp) {
        OperationWaiter.Outcome o = waiter.await(app);
        Application a = o.app();
        return switch (o.kind()) {
            case HEALTHY -> ActionResult.applied(what + "; operation Succeeded and application '" + app.name()
                    + "' is Healthy at revision " + shortRev(deployedRevision(a)), undoState);
            case SUCCEEDED_NOT_HEALTHY -> ActionResult.applied(what + "; operation Succeeded but application '"
                    + app.name() + "' is still " + a.health() + " after " + argo.config().waitTimeout(), undoState);
            case FAILED -> {
                onGiveUp.run();
                yield ActionResult.failed(what + " failed: operation " + o.phase() + ": " + o.operationMessage());
            }
            case TIMED_OUT -> {
                ArgoResult<Boolean> t = argo.client().terminateOperation(app);
                onGiveUp.run();
                yield ActionResult.failedRetryable(what + ": operation did not finish within "
                        + argo.config().waitTimeout() + " (phase " + o.phase() + "); "
                        + (t.isOk() ? "terminated it" : "terminating it failed: " + t.error().describe()));
            }
            case UNREADABLE -> ActionResult.applied(what + "; Argo CD accepted it but its progress could not be read ("
                    + (o.error() == null ? "no answer" : o.error().describe()) + ")", undoState);
        };
    }

    /** One lock per application, shared by every Argo CD action of this process. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Object> APP_LOCKS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Runs an operation on {@code app} while no other action of this process operates on it. Two incidents can
     * reach the same application through different targets (its Deployment, the Application itself), and the
     * engine plans incidents concurrently: the second waits, then finds the application already where the
     * first left it (a skip) instead of racing it.
     */
    static ActionResult oneAtATime(AppRef app, java.util.function.Supplier<ActionResult> operation) {
        synchronized (APP_LOCKS.computeIfAbsent(app.name(), k -> new Object())) {  // by name: a Deployment resolves to "web", the Application to "argocd/web"
            return operation.get();
        }
    }
}

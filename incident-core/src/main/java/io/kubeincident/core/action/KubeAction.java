package io.kubeincident.core.action;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.RemediationAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Base of the built-in Kubernetes actions: one place that turns API failures into results the way the
 * catalog promises.
 *
 * <ul>
 *   <li>404 on the target: {@code skipped} (the target is gone; the engine re-checks the incident)</li>
 *   <li>409: the whole step is re-read and tried once more; a second conflict is a retryable failure</li>
 *   <li>403: {@code failed}, naming the missing RBAC permission</li>
 *   <li>5xx, 429 and timeouts: retried per call by {@link KubeApi}, then a retryable failure</li>
 * </ul>
 * Subclasses implement {@link #run} (and {@link #runUndo} when they are reversible) and may throw
 * {@link KubeCallException}; nothing else escapes {@link #execute}.
 */
public abstract class KubeAction implements RemediationAction {

    private static final Logger LOG = LoggerFactory.getLogger(KubeAction.class);

    /** Event reasons are CamelCase, as Kubernetes components write them. */
    protected static final String EVENT_NORMAL = "Normal";
    protected static final String EVENT_WARNING = "Warning";

    protected final KubeApi kube;

    protected KubeAction(KubeApi kube) {
        this.kube = kube;
    }

    /** Does the work; may throw {@link KubeCallException}, which {@link #execute} turns into a result. */
    protected abstract ActionResult run(ActionRequest request, ActionContext context) throws KubeCallException;

    /** Checks against the live object; returns problems. May throw {@link KubeCallException}. */
    protected List<String> check(ActionRequest request, ActionContext context) throws KubeCallException {
        return List.of();
    }

    @Override
    public final List<String> validate(ActionRequest request, ActionContext context) {
        List<String> problems = new ArrayList<>(checkTarget(request.target()));
        if (!problems.isEmpty()) return problems;
        try {
            problems.addAll(check(request, context));
        } catch (KubeCallException e) {
            problems.add(switch (e.kind()) {
                case NOT_FOUND -> request.target() + " not found";
                case FORBIDDEN -> "forbidden: RBAC permission missing: " + e.permission() + " (" + e.object() + ")";
                default -> "could not check " + request.target() + ": " + e.getMessage();
            });
        } catch (RuntimeException e) {
            problems.add("could not check " + request.target() + ": " + e);
        }
        return problems;
    }

    @Override
    public final ActionResult execute(ActionRequest request, ActionContext context) {
        List<String> targetProblems = checkTarget(request.target());
        if (!targetProblems.isEmpty()) return ActionResult.failed(String.join("; ", targetProblems));
        return guarded(request, context, false);
    }

    /** For {@link io.kubeincident.spi.Reversible} subclasses: same fault mapping as {@link #execute}. */
    protected final ActionResult undoGuarded(ActionRequest original, ActionResult.Applied applied, ActionContext context) {
        return guarded(original, context, true, applied);
    }

    /** Reverts {@code applied}; only reversible subclasses override it. */
    protected ActionResult runUndo(ActionRequest original, ActionResult.Applied applied, ActionContext context)
            throws KubeCallException {
        return ActionResult.failed(id() + " cannot be undone");
    }

    private ActionResult guarded(ActionRequest request, ActionContext context, boolean undo) {
        return guarded(request, context, undo, null);
    }

    private ActionResult guarded(ActionRequest request, ActionContext context, boolean undo, ActionResult.Applied applied) {
        String what = undo ? "undo of " + id() : id();
        try {
            try {
                return undo ? runUndo(request, applied, context) : run(request, context);
            } catch (KubeCallException e) {
                if (!e.is(KubeCallException.Kind.CONFLICT)) throw e;
                LOG.info("{} on {}: conflict, re-reading and trying once more ({})", what, request.target(), e.getMessage());
                return undo ? runUndo(request, applied, context) : run(request, context);
            }
        } catch (KubeCallException e) {
            ActionResult result = toResult(what, request.target(), e);
            if (!request.dryRun() && result instanceof ActionResult.Failed f) {
                event(context, request, request.target(), EVENT_WARNING, eventReasonPrefix() + "Failed", f.message());
            }
            return result;
        } catch (RuntimeException e) {
            LOG.warn("{} on {} failed unexpectedly", what, request.target(), e);
            return ActionResult.failed(what + " on " + request.target() + " failed unexpectedly: " + e);
        }
    }

    static ActionResult toResult(String what, ResourceRef target, KubeCallException e) {
        return switch (e.kind()) {
            case NOT_FOUND -> ActionResult.skipped(what + ": " + e.object() + " is gone (" + e.status()
                    + "); nothing to do, the incident is to be re-checked");
            case CONFLICT -> ActionResult.failedRetryable(what + ": " + e.object()
                    + " kept changing (409 conflict after a re-read): " + e.getMessage());
            case FORBIDDEN -> ActionResult.failed(what + " on " + target + ": forbidden (403): RBAC permission missing: "
                    + e.permission() + " (" + e.object() + ")");
            case UNAUTHORIZED -> ActionResult.failed(what + " on " + target + ": unauthorized (401): " + e.getMessage());
            case TRANSIENT, TOO_MANY_REQUESTS -> ActionResult.failedRetryable(what + " on " + target + ": " + e.getMessage());
            case INVALID -> ActionResult.failed(what + " on " + target + ": rejected by the API server: " + e.getMessage());
            case OTHER -> ActionResult.failed(what + " on " + target + ": " + e.getMessage());
        };
    }

    private List<String> checkTarget(ResourceRef target) {
        if (!targetKinds().contains(target.kind())) {
            return List.of(id() + " acts on " + String.join("/", new java.util.TreeSet<>(targetKinds()))
                    + ", not on " + target.kind());
        }
        if (namespaced() != target.namespaced()) {
            return List.of(id() + ": " + target + (namespaced() ? " needs a namespace" : " must be cluster-scoped"));
        }
        return List.of();
    }

    /** Whether the targets of this action are namespaced (all but nodes). */
    protected boolean namespaced() {
        return true;
    }

    /** Prefix of this action's event reasons, e.g. {@code RestartPod}. */
    protected abstract String eventReasonPrefix();

    /** {@code "All"} for a dry run, else null (the query parameter is left out). */
    protected static String dryRun(ActionRequest request) {
        return request.dryRun() ? "All" : null;
    }

    /** Prefix of every event reason we emit, so {@code kubectl get events} shows who acted. */
    public static final String EVENT_REASON_PREFIX = "KubeIncident";

    /**
     * Emits an event on {@code on} unless this is a dry run (a dry run writes nothing, not even events). The
     * reason gets the {@value #EVENT_REASON_PREFIX} prefix.
     */
    protected static void event(ActionContext context, ActionRequest request, ResourceRef on, String type, String reason,
                                String message) {
        if (request.dryRun()) return;
        String r = reason.startsWith(EVENT_REASON_PREFIX) ? reason : EVENT_REASON_PREFIX + reason;
        try {
            context.recordEvent(on, type, r, message + " (incident " + request.incidentId() + ")");
        } catch (RuntimeException e) {
            LOG.warn("could not record event {} on {}: {}", reason, on, e.toString());
        }
    }
}

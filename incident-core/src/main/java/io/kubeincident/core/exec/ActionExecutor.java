package io.kubeincident.core.exec;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.Incident;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.core.audit.AuditTrail;
import io.kubeincident.core.safety.ActionLedger;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.Reversible;
import io.kubeincident.spi.SupportsDryRun;
import io.kubeincident.core.action.SensitiveParameters;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Runs one allowed action: claims its target (a second action racing on the same object is refused),
 * checks the live object ({@link RemediationAction#validate}), writes the intent to the audit BEFORE the
 * action runs, runs it (server-side dry-run in dry-run mode), then writes the outcome. A throwing action
 * becomes a failed result.
 */
public final class ActionExecutor {
    private final Map<String, RemediationAction> actions;
    private final ActionLedger ledger;
    private final AuditTrail audit;
    private final Clock clock;
    private final Recheck recheck;
    /** Held from the last check to the ledger entry, so two incidents planned at once cannot both pass a limit. */
    private final Object starting = new Object();

    /**
     * The safety chain asked again right before an action starts, against the ledger as it is then: a limit
     * (rate, concurrency, cooldown, budget) that another incident's action filled since planning denies.
     * Returns the reasons of a denial, empty to go ahead.
     */
    @FunctionalInterface
    public interface Recheck {
        List<String> denials(Incident incident, PlannedAction planned, ActionContext context);
    }

    public ActionExecutor(Map<String, RemediationAction> actions, ActionLedger ledger, AuditTrail audit, Clock clock) {
        this(actions, ledger, audit, clock, (i, p, c) -> List.of());
    }

    public ActionExecutor(Map<String, RemediationAction> actions, ActionLedger ledger, AuditTrail audit, Clock clock,
                          Recheck recheck) {
        this.actions = Map.copyOf(actions);
        this.ledger = ledger;
        this.audit = audit;
        this.clock = clock;
        this.recheck = recheck;
    }

    public ActionResult execute(Incident incident, PlannedAction planned, boolean dryRun, ActionContext context,
                                String reasoning) {
        var p = planned.action();
        RemediationAction action = actions.get(p.actionType());
        ActionRequest request = ActionRequest.of(incident.id(), p, dryRun);
        if (action == null) {
            return outcome(incident, planned, request, ActionResult.failed("unknown action type " + p.actionType()), Instant.now(clock), reasoning);
        }
        if (dryRun && !(action instanceof SupportsDryRun)) {
            ActionResult r = ActionResult.skipped("dry-run: " + p.actionType() + " has no server-side dry-run; not run");
            return outcome(incident, planned, request, r, clock.instant(), reasoning);
        }
        ActionLedger.Claim claim = ledger.claim(p.target());
        if (!claim.granted()) {
            ActionResult r = claim == ActionLedger.Claim.TARGET_BUSY
                    ? ActionResult.skipped("another action is running on " + p.target() + "; not run twice")
                    : ActionResult.failedRetryable("safety.max_concurrent_actions reached; " + p.actionType() + " on "
                    + p.target() + " not started");
            return outcome(incident, planned, request, r, clock.instant(), reasoning);
        }
        try {
            List<String> problems;
            try {
                problems = action.validate(request, context);
            } catch (RuntimeException e) {
                problems = List.of("validation failed: " + e);
            }
            if (!problems.isEmpty()) {
                return outcome(incident, planned, request, ActionResult.failed("refused: " + String.join("; ", problems)),
                        clock.instant(), reasoning);
            }
            Instant start;
            ActionLedger.Slot entry;
            synchronized (starting) {
                List<String> denials = recheck.denials(incident, planned, context);
                if (!denials.isEmpty()) {
                    return outcome(incident, planned, request, ActionResult.skipped("no longer allowed when it was to start: "
                            + String.join("; ", denials)), clock.instant(), reasoning);
                }
                audit.write(incident.id(), "intent", AuditTrail.fields()
                        .put("action", p.actionType()).put("resource", p.target().key())
                        .put("confidence", p.confidence()).put("parameters", redacted(action, p.parameters()))
                        .put("verdict", verdictName(planned))
                        .put("decision", planned.decision().id()).put("reasons", planned.reasons())
                        .put("dry_run", dryRun).put("reasoning", reasoning).map());
                start = clock.instant();
                entry = ledger.started(incident.id(), incident.fingerprint(), p.actionType(), p.target(), start, dryRun);
            }
            ActionResult result;
            try {
                result = action.execute(request, context);
                if (result == null) result = ActionResult.failed(p.actionType() + " returned no result");
            } catch (RuntimeException e) {
                result = ActionResult.failed(p.actionType() + " threw " + e);
            }
            ledger.finished(entry, result.kind());
            return outcome(incident, planned, request, result, start, reasoning);
        } finally {
            ledger.release(p.target());
        }
    }

    /**
     * Reverts an applied action that verification found made things worse: claims the target, writes the intent
     * ({@code undo: true}) before and the outcome after, like {@link #execute}. Never in dry-run.
     */
    public ActionResult undo(Incident incident, PlannedAction planned, ActionRequest original, ActionResult.Applied applied,
                             ActionContext context, String why) {
        var p = planned.action();
        RemediationAction action = actions.get(p.actionType());
        if (!(action instanceof Reversible reversible)) {
            return ActionResult.failed(p.actionType() + " cannot be undone");
        }
        ActionLedger.Claim claim = ledger.claim(p.target());
        if (!claim.granted()) {
            return ActionResult.failedRetryable("undo of " + p.actionType() + " on " + p.target() + " not started: " + claim);
        }
        try {
            audit.write(incident.id(), "intent", AuditTrail.fields()
                    .put("action", p.actionType()).put("resource", p.target().key()).put("undo", true)
                    .put("confidence", p.confidence()).put("reasons", List.of(why)).put("dry_run", false)
                    .put("reasoning", why).map());
            Instant start = clock.instant();
            var entry = ledger.started(incident.id(), incident.fingerprint(), p.actionType(), p.target(), start, false);
            ActionResult result;
            try {
                result = reversible.undo(original, applied, context);
                if (result == null) result = ActionResult.failed("undo of " + p.actionType() + " returned no result");
            } catch (RuntimeException e) {
                result = ActionResult.failed("undo of " + p.actionType() + " threw " + e);
            }
            // an undo changes the target too: it counts for cooldown, not against the retry budget
            ledger.finished(entry, result instanceof ActionResult.Applied ? "undone" : result.kind());
            audit.write(incident.id(), "outcome", AuditTrail.fields()
                    .put("action", p.actionType()).put("resource", p.target().key()).put("undo", true)
                    .put("confidence", p.confidence()).put("dry_run", false)
                    .put("result", result.kind()).put("message", result.message())
                    .put("duration_ms", Duration.between(start, clock.instant()).toMillis()).put("reasoning", why).map());
            return result;
        } finally {
            ledger.release(p.target());
        }
    }

    private ActionResult outcome(Incident incident, PlannedAction planned, ActionRequest request, ActionResult result,
                                 Instant start, String reasoning) {
        audit.write(incident.id(), "outcome", AuditTrail.fields()
                .put("action", request.actionType()).put("resource", request.target().key())
                .put("confidence", request.confidence()).put("verdict", verdictName(planned))
                .put("reasons", planned.reasons()).put("dry_run", request.dryRun())
                .put("result", result.kind()).put("message", result.message())
                .put("duration_ms", Duration.between(start, clock.instant()).toMillis())
                .put("reasoning", reasoning == null || reasoning.isBlank() ? planned.action().rationale() : reasoning).map());
        return result;
    }

    /** Parameters as they may be written down: values of secret parameters replaced. */
    static Map<String, Object> redacted(RemediationAction action, Map<String, Object> parameters) {
        return action instanceof SensitiveParameters s ? s.redactParameters(parameters) : parameters;
    }

    static String verdictName(PlannedAction planned) {
        if (planned.verdict() instanceof io.kubeincident.api.Verdict.Deny) return "deny";
        if (planned.verdict() instanceof io.kubeincident.api.Verdict.RequireApproval) return "require-approval";
        return "allow";
    }
}

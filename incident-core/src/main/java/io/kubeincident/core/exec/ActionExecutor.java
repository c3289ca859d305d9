package io.kubeincident.core.exec;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.Incident;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.core.audit.AuditTrail;
import io.kubeincident.core.safety.ActionLedger;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.SupportsDryRun;

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

    public ActionExecutor(Map<String, RemediationAction> actions, ActionLedger ledger, AuditTrail audit, Clock clock) {
        this.actions = Map.copyOf(actions);
        this.ledger = ledger;
        this.audit = audit;
        this.clock = clock;
    }

    public ActionResult execute(Incident incident, PlannedAction planned, boolean dryRun, ActionContext context,
                                String reasoning) {
        var p = planned.action();
        RemediationAction action = actions.get(p.actionType());
        ActionRequest request = ActionRequest.of(incident.id(), p, dryRun);
        if (action == null) {
            return outcome(incident, request, ActionResult.failed("unknown action type " + p.actionType()), Instant.now(clock));
        }
        if (dryRun && !(action instanceof SupportsDryRun)) {
            ActionResult r = ActionResult.skipped("dry-run: " + p.actionType() + " has no server-side dry-run; not run");
            return outcome(incident, request, r, clock.instant());
        }
        if (!ledger.tryClaim(p.target())) {
            ActionResult r = ActionResult.skipped("another action is running on " + p.target() + "; not run twice");
            return outcome(incident, request, r, clock.instant());
        }
        try {
            List<String> problems;
            try {
                problems = action.validate(request, context);
            } catch (RuntimeException e) {
                problems = List.of("validation failed: " + e);
            }
            if (!problems.isEmpty()) {
                return outcome(incident, request, ActionResult.failed("refused: " + String.join("; ", problems)),
                        clock.instant());
            }
            audit.write(incident.id(), "intent", AuditTrail.fields()
                    .put("action", p.actionType()).put("resource", p.target().key())
                    .put("confidence", p.confidence()).put("parameters", p.parameters())
                    .put("decision", planned.decision().id()).put("reasons", planned.reasons())
                    .put("dry_run", dryRun).put("reasoning", reasoning).map());
            Instant start = clock.instant();
            var entry = ledger.started(incident.id(), incident.fingerprint(), p.actionType(), p.target(), start, dryRun);
            ActionResult result;
            try {
                result = action.execute(request, context);
                if (result == null) result = ActionResult.failed(p.actionType() + " returned no result");
            } catch (RuntimeException e) {
                result = ActionResult.failed(p.actionType() + " threw " + e);
            }
            ledger.finished(entry, result.kind());
            return outcome(incident, request, result, start);
        } finally {
            ledger.release(p.target());
        }
    }

    private ActionResult outcome(Incident incident, ActionRequest request, ActionResult result, Instant start) {
        audit.write(incident.id(), "outcome", AuditTrail.fields()
                .put("action", request.actionType()).put("resource", request.target().key())
                .put("confidence", request.confidence()).put("dry_run", request.dryRun())
                .put("result", result.kind()).put("message", result.message())
                .put("duration_ms", Duration.between(start, clock.instant()).toMillis()).map());
        return result;
    }
}

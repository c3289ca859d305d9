package io.kubeincident.core.approval;

import io.kubeincident.api.ActionResult;

import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.BiConsumer;

/**
 * {@link Approvals} over an {@link ApprovalQueue}: the engine supplies what "run it" and "record it" mean.
 * Approver names are required (they go into the audit). Thread-safe; one decision per request.
 */
public final class ApprovalService implements Approvals {

    private final ApprovalQueue queue;
    private final BiFunction<ApprovalQueue.Pending, String, ActionResult> runApproved;
    private final BiConsumer<ApprovalQueue.Pending, String> recordRejected;

    /**
     * @param runApproved    runs an approved request (re-judged by the policies first), given the approver
     * @param recordRejected audits a rejection, given the approver and reason
     */
    public ApprovalService(ApprovalQueue queue, BiFunction<ApprovalQueue.Pending, String, ActionResult> runApproved,
                           BiConsumer<ApprovalQueue.Pending, String> recordRejected) {
        this.queue = queue;
        this.runApproved = runApproved;
        this.recordRejected = recordRejected;
    }

    public ApprovalQueue queue() {
        return queue;
    }

    @Override
    public List<ApprovalQueue.Pending> pending() {
        return queue.list();
    }

    @Override
    public Decision approve(String approvalId, String approver) {
        Optional<Decision> bad = check(approvalId, approver);
        if (bad.isPresent()) return bad.get();
        Optional<ApprovalQueue.Pending> p = queue.decide(approvalId, ApprovalQueue.Gone.APPROVED);
        if (p.isEmpty()) return gone(approvalId);
        ActionResult r;
        try {
            r = runApproved.apply(p.get(), approver.trim());
        } catch (RuntimeException e) {
            r = ActionResult.failed("approved action failed to run: " + e);
        }
        return new Decision.Approved(p.get(), r == null ? ActionResult.failed("no result") : r);
    }

    @Override
    public Decision reject(String approvalId, String approver, String reason) {
        Optional<Decision> bad = check(approvalId, approver);
        if (bad.isPresent()) return bad.get();
        Optional<ApprovalQueue.Pending> p = queue.decide(approvalId, ApprovalQueue.Gone.REJECTED);
        if (p.isEmpty()) return gone(approvalId);
        recordRejected.accept(p.get(), approver.trim() + (reason == null || reason.isBlank() ? "" : ": " + reason));
        return new Decision.Rejected(p.get());
    }

    private static Optional<Decision> check(String approvalId, String approver) {
        if (approvalId == null || approvalId.isBlank()) return Optional.of(new Decision.Invalid("an approval id is required"));
        if (approver == null || approver.isBlank()) return Optional.of(new Decision.Invalid("the approver's name is required"));
        return Optional.empty();
    }

    private Decision gone(String approvalId) {
        return queue.fate(approvalId).<Decision>map(g -> g == ApprovalQueue.Gone.EXPIRED
                ? new Decision.Expired(approvalId) : new Decision.AlreadyDecided(approvalId, g))
                .orElse(new Decision.NotFound(approvalId));
    }
}

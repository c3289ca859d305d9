package io.kubeincident.core.approval;

import io.kubeincident.api.ActionResult;

import java.util.List;

/**
 * The approve/reject API the engine exposes for held actions (the reference runtime serves it over HTTP).
 * An approved action is judged again by the safety policies against the cluster as it is now before it
 * runs: an approval satisfies "needs approval", never a deny.
 */
public interface Approvals {

    /** Requests waiting for a decision, oldest first. */
    List<ApprovalQueue.Pending> pending();

    /** Approves and runs the held action. */
    Decision approve(String approvalId, String approver);

    /** Rejects the held action; it will not run. */
    Decision reject(String approvalId, String approver, String reason);

    /** What an approve or reject call achieved. */
    sealed interface Decision {
        String message();

        /** Approved and executed (or refused by the safety policies on the second look). */
        record Approved(ApprovalQueue.Pending request, ActionResult result) implements Decision {
            public String message() {
                return "approved; " + result.kind() + ": " + result.message();
            }
        }

        record Rejected(ApprovalQueue.Pending request) implements Decision {
            public String message() {
                return "rejected; " + request.action().action().actionType() + " on "
                        + request.action().action().target() + " will not run";
            }
        }

        /** The request timed out before the decision. */
        record Expired(String approvalId) implements Decision {
            public String message() {
                return "approval " + approvalId + " expired; the action did not run";
            }
        }

        /** Decided already (by someone else). */
        record AlreadyDecided(String approvalId, ApprovalQueue.Gone how) implements Decision {
            public String message() {
                return "approval " + approvalId + " was already " + how.name().toLowerCase();
            }
        }

        record NotFound(String approvalId) implements Decision {
            public String message() {
                return "no approval request " + approvalId;
            }
        }

        /** A bad call: missing id or approver. */
        record Invalid(String reason) implements Decision {
            public String message() {
                return reason;
            }
        }
    }
}

package io.kubeincident.core.verify;

/**
 * What to do after verification concluded, per the rules: resolved → close; worse → undo when the
 * action is reversible, then escalate; not improved → the next step if the retry budget allows, else
 * escalate.
 */
public sealed interface FollowUp {

    String reason();

    record Resolve(String reason) implements FollowUp {
    }

    record UndoThenEscalate(String reason) implements FollowUp {
    }

    /** Try the next planned step (or plan again); the safety policies, retry budget included, decide. */
    record NextStep(String reason) implements FollowUp {
    }

    record Escalate(String reason) implements FollowUp {
    }

    static FollowUp after(Verification.Observation o, boolean reversible, boolean budgetLeft) {
        return switch (o.conclusion()) {
            case RESOLVED -> new Resolve(o.detail());
            case WORSE -> reversible ? new UndoThenEscalate(o.detail())
                    : new Escalate(o.detail() + "; the action cannot be undone");
            case NOT_IMPROVED -> budgetLeft ? new NextStep(o.detail())
                    : new Escalate(o.detail() + "; retry budget spent");
            case PENDING -> throw new IllegalArgumentException("verification has not concluded");
        };
    }
}

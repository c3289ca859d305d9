package io.kubeincident.api;

import java.util.Map;

/** The outcome of executing (or dry-running) one action. Outcomes are values; actions never throw them. */
public sealed interface ActionResult {

    String message();

    /**
     * The change was made.
     *
     * @param message   what was done, for humans
     * @param undoState what {@link io.kubeincident.spi.Reversible#undo} needs to revert it (previous
     *                  revision, previous replicas, ...); never secret values in clear text
     */
    record Applied(String message, Map<String, Object> undoState) implements ActionResult {
        public Applied {
            message = message == null ? "" : message;
            undoState = undoState == null ? Map.of() : Map.copyOf(undoState);
        }
    }

    /** The server accepted the change with {@code dryRun=All}; nothing changed. */
    record DryRun(String message) implements ActionResult {
        public DryRun {
            message = message == null ? "" : message;
        }
    }

    /** Nothing was done and nothing needed doing (already in the desired state, target gone). */
    record Skipped(String message) implements ActionResult {
        public Skipped {
            message = message == null ? "" : message;
        }
    }

    /**
     * The action could not be done.
     *
     * @param message   why, naming what failed (HTTP status, missing RBAC verb, PDB name)
     * @param retryable whether trying again later may help
     */
    record Failed(String message, boolean retryable) implements ActionResult {
        public Failed {
            message = message == null || message.isBlank() ? "failed without a reason" : message;
        }
    }

    static ActionResult applied(String message) {
        return new Applied(message, Map.of());
    }

    static ActionResult applied(String message, Map<String, Object> undoState) {
        return new Applied(message, undoState);
    }

    static ActionResult dryRun(String message) {
        return new DryRun(message);
    }

    static ActionResult skipped(String message) {
        return new Skipped(message);
    }

    static ActionResult failed(String message) {
        return new Failed(message, false);
    }

    static ActionResult failedRetryable(String message) {
        return new Failed(message, true);
    }

    /** {@code applied}, {@code dry-run}, {@code skipped} or {@code failed}: for logs and JSON. */
    default String kind() {
        if (this instanceof Applied) return "applied";
        if (this instanceof DryRun) return "dry-run";
        if (this instanceof Skipped) return "skipped";
        return "failed";
    }
}

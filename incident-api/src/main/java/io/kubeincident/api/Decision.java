package io.kubeincident.api;

/** What the engine decided for one planned action after the safety chain and the thresholds. */
public enum Decision {
    /** Runs now (or is checked with server-side dry-run in dry-run mode). */
    EXECUTE("execute"),
    /** Held for a human's approval. */
    APPROVAL("approval"),
    /** Below the approval threshold: logged and monitored only. */
    LOG_ONLY("log-only"),
    /** A policy denied it. */
    DENIED("denied");

    private final String id;

    Decision(String id) {
        this.id = id;
    }

    /** The kebab-case id used in JSON output and audit records. */
    public String id() {
        return id;
    }
}

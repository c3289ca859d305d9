package io.kubeincident.core.config;

import java.util.Locale;

/** The global remediation mode ({@code remediation.mode}). */
public enum Mode {
    /** Execute at or above the confidence threshold, approval between the thresholds, log below. */
    AUTO,
    /** Nothing runs without a human's approval. */
    APPROVAL,
    /** Everything is planned, checked with server-side dry-run and audited; nothing changes. */
    DRY_RUN;

    public static Mode parse(String key, String raw) {
        String s = raw.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (s) {
            case "auto" -> AUTO;
            case "approval" -> APPROVAL;
            case "dry-run", "dryrun" -> DRY_RUN;
            default -> throw new IllegalArgumentException(key + ": must be auto, approval or dry-run, was: " + raw);
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

package io.kubeincident.api;

import java.util.Map;
import java.util.Objects;

/**
 * An analyzer's answer. {@link Declined} and {@link Failed} send the engine to the next analyzer in the
 * chain (the rules analyzer last); both are audited with their reason.
 */
public sealed interface AnalysisOutcome {

    record Diagnosed(Diagnosis diagnosis) implements AnalysisOutcome {
        public Diagnosed {
            Objects.requireNonNull(diagnosis, "diagnosis");
        }
    }

    /** The analyzer does not handle this incident (no rule matches, over budget, circuit open). */
    record Declined(String reason) implements AnalysisOutcome {
        public Declined {
            reason = reason == null || reason.isBlank() ? "declined" : reason;
        }
    }

    /**
     * The analyzer tried and failed (timeout, HTTP error, invalid answer).
     *
     * @param reason  why
     * @param details what is worth keeping for the audit (the model's raw answer, the validation
     *                errors), already redacted
     */
    record Failed(String reason, Map<String, String> details) implements AnalysisOutcome {
        public Failed {
            reason = reason == null || reason.isBlank() ? "failed" : reason;
            details = details == null ? Map.of() : Map.copyOf(details);
        }
    }

    static AnalysisOutcome diagnosed(Diagnosis diagnosis) {
        return new Diagnosed(diagnosis);
    }

    static AnalysisOutcome declined(String reason) {
        return new Declined(reason);
    }

    static AnalysisOutcome failed(String reason) {
        return new Failed(reason, Map.of());
    }

    static AnalysisOutcome failed(String reason, Map<String, String> details) {
        return new Failed(reason, details);
    }
}

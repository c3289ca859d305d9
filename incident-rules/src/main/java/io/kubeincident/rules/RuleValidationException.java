package io.kubeincident.rules;

import java.util.List;

/** Rules that failed to load; {@link #errors()} lists every problem found, not just the first. */
public final class RuleValidationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient List<RuleError> errors;

    public RuleValidationException(List<RuleError> errors) {
        super(message(errors));
        this.errors = List.copyOf(errors);
    }

    public List<RuleError> errors() {
        return errors;
    }

    private static String message(List<RuleError> errors) {
        StringBuilder sb = new StringBuilder("invalid rules (").append(errors.size())
                .append(errors.size() == 1 ? " problem" : " problems").append("):");
        for (RuleError e : errors) sb.append("\n  - ").append(e);
        return sb.toString();
    }
}

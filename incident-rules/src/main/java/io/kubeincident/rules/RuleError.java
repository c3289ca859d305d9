package io.kubeincident.rules;

/**
 * One problem found while loading rules.
 *
 * @param source where: a file path, the bundled resource or {@code rules.inline}
 * @param rule   the rule's id (or {@code rules[3]} when it has none); null for problems outside a rule
 * @param field  the field path inside the rule, e.g. {@code actions[0].confidence}
 * @param message what is wrong, with the offending value
 */
public record RuleError(String source, String rule, String field, String message) {

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(source).append(": ");
        if (rule != null) sb.append("rule '").append(rule).append("': ");
        if (field != null && !field.isEmpty()) sb.append("field '").append(field).append("': ");
        return sb.append(message).toString();
    }
}

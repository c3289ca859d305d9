package io.kubeincident.rules;

import java.util.List;
import java.util.Map;

/**
 * One rule of the knowledge base, as loaded and validated from YAML. Immutable.
 *
 * @param id            kebab-case, unique; a later source with the same id replaces it
 * @param source        where it came from (bundled resource, file path, {@code rules.inline})
 * @param types         incident type ids it applies to; {@code *} applies to every type
 * @param description   one line for people reading the rule file
 * @param priority      higher is tried first; ties go to the more specific rule
 * @param when          all must match
 * @param category      kebab-case root-cause category
 * @param confidence    confidence in the root cause (and default for its actions)
 * @param rootCause     for humans, with the concrete values templated in
 * @param reasoning     why this conclusion and why these actions (or none)
 * @param advice        what a human should do, in order
 * @param actions       proposed actions in the order they should be tried
 */
record Rule(String id, String source, List<String> types, String description, int priority, List<Condition> when,
            String category, double confidence, Template rootCause, Template reasoning, List<Template> advice,
            List<ActionTemplate> actions) {

    static final String ANY_TYPE = "*";

    Rule {
        types = List.copyOf(types);
        when = List.copyOf(when);
        advice = List.copyOf(advice);
        actions = List.copyOf(actions);
    }

    boolean appliesTo(String incidentType) {
        return types.contains(incidentType) || types.contains(ANY_TYPE);
    }

    /** Conditions narrow the match; a rule for named types is narrower than a catch-all. */
    int specificity() {
        int s = types.contains(ANY_TYPE) ? 0 : 1;
        for (Condition c : when) s += c.specificity();
        return s;
    }

    /** The confidence a rule gets when it states none: more conditions, more confidence. */
    static double defaultConfidence(int specificity) {
        return Math.min(0.9, 0.3 + 0.1 * specificity);
    }

    /**
     * A proposed action as the rule states it, resolved against the incident at analysis time.
     *
     * @param type        action type id
     * @param target      symbolic target: {@code root}, {@code pod}, {@code node}, {@code workload},
     *                    {@code deployment}, {@code app}, {@code resource} or {@code kind:<Kind>}
     * @param parameters  name to {@link Template} or literal Number/Boolean
     * @param confidence  NaN: the rule's confidence
     * @param rationale   why, for humans; may be blank
     * @param when        extra conditions for this action alone
     * @param maxFailures how many unhelpful earlier runs on this workload drop it; 0: the analyzer's default
     */
    record ActionTemplate(String type, String target, Map<String, Object> parameters, double confidence,
                          Template rationale, List<Condition> when, int maxFailures) {
        ActionTemplate {
            parameters = Map.copyOf(parameters);
            when = List.copyOf(when);
        }
    }
}

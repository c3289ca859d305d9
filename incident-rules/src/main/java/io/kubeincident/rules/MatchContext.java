package io.kubeincident.rules;

import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of matching one rule against one finding of an incident: the variables (derived values,
 * evidence facts, the finding's facts, then what conditions captured) and a line per matched
 * condition for the reasoning. Not thread-safe; one per evaluation.
 */
class MatchContext {
    final Incident incident;
    final Evidence evidence;
    /** The finding the rule is evaluated against; null when the incident has none. */
    final Finding finding;
    final Map<String, String> vars;
    final List<String> matched;

    MatchContext(Incident incident, Evidence evidence, Finding finding, Map<String, String> vars) {
        this(incident, evidence, finding, new LinkedHashMap<>(vars), new ArrayList<>());
    }

    private MatchContext(Incident incident, Evidence evidence, Finding finding, Map<String, String> vars,
                         List<String> matched) {
        this.incident = incident;
        this.evidence = evidence;
        this.finding = finding;
        this.vars = vars;
        this.matched = matched;
    }

    String get(String key) {
        String v = vars.get(key);
        return v == null || v.isEmpty() ? null : v;
    }

    /** A copy to try a branch on; {@link #absorb} keeps what it found when the branch matched. */
    MatchContext fork() {
        return new MatchContext(incident, evidence, finding, new LinkedHashMap<>(vars), new ArrayList<>());
    }

    void absorb(MatchContext branch) {
        vars.putAll(branch.vars);
        matched.addAll(branch.matched);
    }
}

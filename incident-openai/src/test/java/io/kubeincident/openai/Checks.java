package io.kubeincident.openai;

import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.Diagnosis;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Assertions that say what they saw when they fail. */
final class Checks {

    private Checks() {
    }

    static Diagnosis diagnosed(AnalysisOutcome outcome) {
        if (outcome instanceof AnalysisOutcome.Diagnosed d) return d.diagnosis();
        return fail("expected Diagnosed, was " + outcome);
    }

    static AnalysisOutcome.Failed failed(AnalysisOutcome outcome) {
        if (outcome instanceof AnalysisOutcome.Failed f) return f;
        return fail("expected Failed, was " + outcome);
    }

    static AnalysisOutcome.Declined declined(AnalysisOutcome outcome) {
        if (outcome instanceof AnalysisOutcome.Declined d) return d;
        return fail("expected Declined, was " + outcome);
    }

    static void contains(String haystack, String... needles) {
        for (String n : needles) {
            assertTrue(haystack != null && haystack.contains(n), () -> "expected to contain <" + n + "> but was:\n" + haystack);
        }
    }

    static void lacks(String haystack, String... needles) {
        for (String n : needles) {
            assertTrue(haystack == null || !haystack.contains(n), () -> "expected NOT to contain <" + n + "> but was:\n" + haystack);
        }
    }

    static void entry(Map<String, String> map, String key, String value) {
        assertEquals(value, map.get(key), () -> key + " in " + map);
    }
}

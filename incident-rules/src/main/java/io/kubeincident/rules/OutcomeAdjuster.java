package io.kubeincident.rules;

import io.kubeincident.api.OutcomeRecord;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.OutcomeHistory;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Adjusts an action's confidence by what the same action achieved before: on this workload (from the
 * outcome history and from the evidence's knowledge lines) and, more weakly, across the cluster for
 * the same incident type. Unhelpful runs on this workload lower it; enough of them, or one that made
 * things worse, drop the action so that the incident goes to a human instead of round after round of
 * the same non-fix. Thread-safe (stateless apart from the history it reads).
 */
final class OutcomeAdjuster {

    /** Each unhelpful run on this workload multiplies the confidence by this. */
    static final double PENALTY = 0.6;
    /** Cluster-wide evidence that the action rarely helps multiplies by this. */
    static final double WEAK_PENALTY = 0.8;
    static final double BONUS = 0.05;
    private static final int GLOBAL_WINDOW = 20;
    private static final int GLOBAL_MIN = 3;

    private static final Pattern NOT_HELPED = Pattern.compile(
            "did ?n[o']t help|didn't help|not improved|did not improve|no improvement|did not resolve|didn't resolve|failed to resolve|without effect|no effect");
    private static final Pattern WORSE = Pattern.compile("made (?:it|things|the incident|matters) worse|\\bworse\\b");
    private static final Pattern TIMES = Pattern.compile("(\\d+)\\s*(?:times|x\\b)|(?:last|past)\\s+(\\d+)");

    /**
     * @param confidence the adjusted confidence
     * @param note       why it changed, for the rationale; null when unchanged
     * @param dropped    true when the action should not be proposed at all
     */
    record Adjusted(double confidence, String note, boolean dropped) {
    }

    private final OutcomeHistory history;

    OutcomeAdjuster(OutcomeHistory history) {
        this.history = history == null ? OutcomeHistory.none() : history;
    }

    Adjusted adjust(String incidentType, ResourceRef root, String actionType, double confidence, int maxFailures,
                    List<String> knowledge) {
        int failures = 0;
        boolean worse = false;
        boolean resolvedLast = false;
        List<OutcomeRecord> here = history.forResource(root);
        boolean first = true;
        for (OutcomeRecord r : here) {
            if (!r.actionType().equals(actionType) || !r.incidentType().equals(incidentType)) continue;
            if (r.outcome() == OutcomeRecord.Outcome.RESOLVED) {
                // Only the runs since the action last helped count against it.
                resolvedLast = first;
                break;
            }
            first = false;
            failures++;
            if (r.outcome() == OutcomeRecord.Outcome.WORSE) worse = true;
        }
        String source = "the outcome history";
        for (String line : knowledge) {
            String l = line.toLowerCase(Locale.ROOT);
            if (!mentions(l, actionType)) continue;
            if (WORSE.matcher(l).find() && !NOT_HELPED.matcher(l).find()) {
                worse = true;
                source = "the knowledge base";
            } else if (NOT_HELPED.matcher(l).find()) {
                int n = times(l);
                if (n > failures) {
                    failures = n;
                    source = "the knowledge base";
                }
            }
        }
        String workload = root.kind() + " " + (root.namespace() == null ? "" : root.namespace() + "/") + root.name();
        if (worse) {
            return new Adjusted(0.0, "Dropped: per " + source + ", " + actionType + " made things worse on " + workload
                    + " before; a human should take over.", true);
        }
        if (failures >= maxFailures) {
            return new Adjusted(0.0, "Dropped: per " + source + ", " + actionType + " did not help the last " + failures
                    + (failures == 1 ? " time" : " times") + " on " + workload + "; escalate to a human instead of repeating it.", true);
        }
        double c = confidence;
        StringBuilder note = new StringBuilder();
        if (failures > 0) {
            c *= Math.pow(PENALTY, failures);
            note.append("Confidence lowered from ").append(fmt(confidence)).append(" to ").append(fmt(c)).append(": ")
                    .append(actionType).append(" did not help ").append(failures == 1 ? "once" : failures + " times")
                    .append(" before on ").append(workload).append(" (per ").append(source).append(").");
        } else if (resolvedLast) {
            double raised = Math.min(0.95, c + BONUS);
            if (raised > c) {
                c = raised;
                note.append("Confidence raised to ").append(fmt(c)).append(": ").append(actionType)
                        .append(" resolved the last such incident on ").append(workload).append('.');
            }
        }
        List<OutcomeRecord> global = history.find(incidentType, actionType);
        int n = 0;
        int resolved = 0;
        for (OutcomeRecord r : global) {
            if (r.rootResource().sameTarget(root)) continue;
            if (n == GLOBAL_WINDOW) break;
            n++;
            if (r.outcome() == OutcomeRecord.Outcome.RESOLVED) resolved++;
        }
        if (n >= GLOBAL_MIN && resolved * 3 < n) {
            double before = c;
            c *= WEAK_PENALTY;
            if (note.length() > 0) note.append(' ');
            note.append("Confidence lowered from ").append(fmt(before)).append(" to ").append(fmt(c)).append(": elsewhere ")
                    .append(actionType).append(" resolved only ").append(resolved).append(" of the last ").append(n)
                    .append(" ").append(incidentType).append(" incidents.");
        }
        c = Math.max(0.0, Math.min(1.0, c));
        return new Adjusted(c, note.length() == 0 ? null : note.toString(), false);
    }

    private static boolean mentions(String line, String actionType) {
        int i = line.indexOf(actionType);
        while (i >= 0) {
            int end = i + actionType.length();
            boolean left = i == 0 || !isIdChar(line.charAt(i - 1));
            boolean right = end == line.length() || !isIdChar(line.charAt(end));
            if (left && right) return true;
            i = line.indexOf(actionType, i + 1);
        }
        return false;
    }

    private static boolean isIdChar(char c) {
        return Character.isLetterOrDigit(c) || c == '-' || c == '_';
    }

    private static int times(String line) {
        Matcher m = TIMES.matcher(line);
        if (m.find()) {
            String g = m.group(1) != null ? m.group(1) : m.group(2);
            try {
                return Math.max(1, Math.min(1000, Integer.parseInt(g)));
            } catch (NumberFormatException e) {
                return 1;
            }
        }
        if (line.contains("twice")) return 2;
        return 1;
    }

    static String fmt(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }
}

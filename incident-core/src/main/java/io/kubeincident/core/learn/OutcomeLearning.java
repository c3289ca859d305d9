package io.kubeincident.core.learn;

import io.kubeincident.api.Confidence;
import io.kubeincident.api.Incident;
import io.kubeincident.api.OutcomeRecord;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.OutcomeHistory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the outcome history teaches: a confidence adjustment for a planned action (the planner calls
 * {@link #adjust}) and lines of knowledge for analyzers ({@link #knowledge}).
 *
 * <ul>
 *   <li>Across workloads: the success rate of the action for the incident type moves its confidence by up to
 *       ±{@link #MAX_SHIFT}, weighted by how many outcomes there are (full weight from {@link #FULL_WEIGHT}).</li>
 *   <li>On this workload: when the action's last {@link #STREAK} outcomes here all failed to resolve
 *       ("restart did not help the last 3 times"), its confidence is halved, which in practice sends it to
 *       approval or log-only; one outcome that made things worse here halves it too.</li>
 * </ul>
 * Never raises a confidence above 1 or by more than {@link #MAX_SHIFT}. Stateless over the history;
 * thread-safe.
 */
public final class OutcomeLearning {

    public static final double MAX_SHIFT = 0.2;
    public static final int FULL_WEIGHT = 10;
    public static final int STREAK = 2;

    private final OutcomeHistory history;

    public OutcomeLearning(OutcomeHistory history) {
        this.history = history;
    }

    /** Success statistics of one action for one incident type, or on one workload. */
    public record Stats(int total, int resolved, int worse, int streakWithoutHelp) {
        /** Laplace-smoothed success rate: 0.5 with no data. */
        public double rate() {
            return (resolved + 1.0) / (total + 2.0);
        }
    }

    static Stats stats(List<OutcomeRecord> newestFirst) {
        int resolved = 0;
        int worse = 0;
        int streak = 0;
        boolean streaking = true;
        for (OutcomeRecord r : newestFirst) {
            boolean helped = r.outcome() == OutcomeRecord.Outcome.RESOLVED;
            if (helped) resolved++;
            if (r.outcome() == OutcomeRecord.Outcome.WORSE) worse++;
            if (streaking && !helped) streak++;
            else streaking = false;
        }
        return new Stats(newestFirst.size(), resolved, worse, streak);
    }

    public Stats global(String incidentType, String actionType) {
        return stats(history.find(incidentType, actionType));
    }

    public Stats onWorkload(ResourceRef root, String actionType) {
        return stats(history.forResource(root).stream().filter(r -> r.actionType().equals(actionType)).toList());
    }

    /** {@code proposed} with its confidence adjusted by the history, and the reason added to its rationale. */
    public ProposedAction adjust(Incident incident, ProposedAction proposed) {
        double c = proposed.confidence();
        List<String> why = new ArrayList<>();
        Stats g = global(incident.type(), proposed.actionType());
        if (g.total() > 0) {
            double weight = Math.min(1.0, g.total() / (double) FULL_WEIGHT);
            double shift = weight * (g.rate() - 0.5) * 2 * MAX_SHIFT;
            if (Math.abs(shift) >= 0.005) {
                c += shift;
                why.add(String.format(Locale.ROOT, "%s resolved %d of %d %s incidents (%+.2f)", proposed.actionType(),
                        g.resolved(), g.total(), incident.type(), shift));
            }
        }
        Stats w = onWorkload(incident.rootResource(), proposed.actionType());
        if (w.streakWithoutHelp() >= STREAK) {
            c *= 0.5;
            why.add(String.format(Locale.ROOT, "%s did not help the last %d times for %s (halved)", proposed.actionType(),
                    w.streakWithoutHelp(), incident.rootResource().key()));
        } else if (w.worse() > 0) {
            c *= 0.5;
            why.add(String.format(Locale.ROOT, "%s made %s worse before (halved)", proposed.actionType(), incident.rootResource().key()));
        }
        if (why.isEmpty()) return proposed;
        double adjusted = Confidence.clamp(Math.min(c, proposed.confidence() + MAX_SHIFT));
        adjusted = Math.round(adjusted * 1000) / 1000.0;
        return proposed.withConfidence(adjusted, "[learned: " + String.join("; ", why) + "]");
    }

    /** Lines for analyzers about this incident's workload and type, most telling first; at most {@code max}. */
    public List<String> knowledge(Incident incident, int max) {
        List<String> lines = new ArrayList<>();
        Map<String, List<OutcomeRecord>> byAction = new LinkedHashMap<>();
        for (OutcomeRecord r : history.forResource(incident.rootResource())) {
            byAction.computeIfAbsent(r.actionType(), k -> new ArrayList<>()).add(r);
        }
        byAction.forEach((action, records) -> {
            Stats s = stats(records);
            if (s.streakWithoutHelp() >= STREAK) {
                lines.add(action + " did not help the last " + s.streakWithoutHelp() + " times for " + incident.rootResource().key());
            } else {
                lines.add(action + " resolved " + s.resolved() + " of " + s.total() + " earlier incidents on "
                        + incident.rootResource().key() + (s.worse() > 0 ? " and made it worse " + s.worse() + " time(s)" : ""));
            }
        });
        return lines.size() > max ? List.copyOf(lines.subList(0, max)) : List.copyOf(lines);
    }
}

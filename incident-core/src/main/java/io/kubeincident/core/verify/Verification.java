package io.kubeincident.core.verify;

import java.time.Duration;
import java.time.Instant;

/**
 * Watches one remediated incident for a window and concludes, the way an SRE would look after a change:
 * resolved once the incident is no longer detected and its root looks healthy (every replica ready, no pod
 * restarting) on {@code stableObservations} looks in a row; at the end of the window, worse when it has
 * fewer ready or available replicas than before the action (or is gone), else not improved. Not
 * thread-safe: one owner feeds it.
 */
public final class Verification {

    /** Where verification stands. */
    public enum Conclusion { PENDING, RESOLVED, NOT_IMPROVED, WORSE }

    /** One look's result. */
    public record Observation(Conclusion conclusion, String detail) {
        public boolean done() {
            return conclusion != Conclusion.PENDING;
        }
    }

    private final HealthSnapshot baseline;
    private final Instant deadline;
    private final int stableObservations;
    private HealthSnapshot previous;
    private int healthyInARow;
    private int observations;
    private Observation last = new Observation(Conclusion.PENDING, "not looked yet");

    /**
     * @param baseline           health just before the action
     * @param start              when the action finished
     * @param window             how long to watch at most
     * @param stableObservations healthy looks in a row needed to call it resolved (at least 1)
     */
    public Verification(HealthSnapshot baseline, Instant start, Duration window, int stableObservations) {
        if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("verification window must be positive");
        this.baseline = baseline;
        this.previous = baseline;
        this.deadline = start.plus(window);
        this.stableObservations = Math.max(1, stableObservations);
    }

    public HealthSnapshot baseline() {
        return baseline;
    }

    public Instant deadline() {
        return deadline;
    }

    public Observation last() {
        return last;
    }

    public int observations() {
        return observations;
    }

    /**
     * Takes one look: {@code now} is the root's health, {@code stillDetected} whether the incident's findings are
     * still there. Once concluded, further looks return the same conclusion.
     */
    public Observation observe(HealthSnapshot now, boolean stillDetected, Instant at) {
        if (last.done()) return last;
        observations++;
        int restarted = now.restartedSince(previous);
        boolean healthy = !stillDetected && (!now.known() || (now.looksHealthy() && restarted == 0));
        previous = now;
        healthyInARow = healthy ? healthyInARow + 1 : 0;
        if (healthyInARow >= stableObservations) {
            last = new Observation(Conclusion.RESOLVED, "healthy on " + healthyInARow + " look(s) in a row: " + now.summary());
        } else if (!at.isBefore(deadline)) {
            if (now.worseThan(baseline)) {
                last = new Observation(Conclusion.WORSE, "worse than before the action: " + now.summary() + " (was "
                        + baseline.summary() + ")");
            } else {
                last = new Observation(Conclusion.NOT_IMPROVED, "not improved within the window: " + now.summary()
                        + (stillDetected ? "; still detected" : "") + (restarted > 0 ? "; " + restarted + " pod(s) restarted" : ""));
            }
        } else {
            last = new Observation(Conclusion.PENDING, now.summary() + (stillDetected ? "; still detected" : ""));
        }
        return last;
    }
}

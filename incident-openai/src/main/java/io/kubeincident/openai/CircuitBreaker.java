package io.kubeincident.openai;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Stops calling a failing endpoint so the engine gets the rules' answer at once instead of waiting for
 * timeouts each time. Closed: calls go through; after {@code threshold} consecutive failures it opens for
 * {@code openFor}; then one trial call is let through (half-open): success closes it, failure opens it
 * again. Thread-safe.
 */
final class CircuitBreaker {

    enum State { CLOSED, OPEN, HALF_OPEN }

    private final int threshold;
    private final Duration openFor;
    private final Clock clock;

    private State state = State.CLOSED;
    private int consecutiveFailures;
    private Instant openUntil = Instant.MIN;
    private boolean trialInFlight;
    private String lastFailure = "";

    CircuitBreaker(int threshold, Duration openFor, Clock clock) {
        this.threshold = threshold;
        this.openFor = openFor;
        this.clock = clock;
    }

    /** True when a call may go out now; in half-open, only one caller gets true until it reports back. */
    synchronized boolean tryAcquire() {
        if (state == State.OPEN && !clock.instant().isBefore(openUntil)) {
            state = State.HALF_OPEN;
            trialInFlight = false;
        }
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> false;
            case HALF_OPEN -> {
                if (trialInFlight) yield false;
                trialInFlight = true;
                yield true;
            }
        };
    }

    synchronized void onSuccess() {
        state = State.CLOSED;
        consecutiveFailures = 0;
        trialInFlight = false;
    }

    synchronized void onFailure(String why) {
        lastFailure = why;
        consecutiveFailures++;
        trialInFlight = false;
        if (state == State.HALF_OPEN || consecutiveFailures >= threshold) open();
    }

    /** Opens at once, e.g. on insufficient_quota, where retrying soon cannot help. */
    synchronized void trip(String why) {
        lastFailure = why;
        consecutiveFailures = Math.max(consecutiveFailures + 1, threshold);
        trialInFlight = false;
        open();
    }

    /** A caller that got {@code true} from {@link #tryAcquire} but made no call gives its trial back. */
    synchronized void release() {
        trialInFlight = false;
    }

    private void open() {
        state = State.OPEN;
        openUntil = clock.instant().plus(openFor);
    }

    synchronized State state() {
        if (state == State.OPEN && !clock.instant().isBefore(openUntil)) return State.HALF_OPEN;
        return state;
    }

    synchronized String describe() {
        return "circuit open after " + consecutiveFailures + " consecutive failures (last: " + lastFailure
                + "); next trial at " + openUntil;
    }
}

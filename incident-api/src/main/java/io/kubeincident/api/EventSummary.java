package io.kubeincident.api;

import java.time.Instant;

/**
 * A Kubernetes event folded with its repeats.
 *
 * @param type      {@code Warning} or {@code Normal}
 * @param reason    e.g. {@code BackOff}, {@code FailedScheduling}
 * @param message   the event's message, redacted
 * @param count     how many times it happened
 * @param firstSeen first occurrence, may be null
 * @param lastSeen  last occurrence, may be null
 * @param involved  the object it is about
 */
public record EventSummary(String type, String reason, String message, int count, Instant firstSeen,
                           Instant lastSeen, ResourceRef involved) {
    public EventSummary {
        type = type == null ? "Normal" : type;
        reason = reason == null ? "" : reason;
        message = message == null ? "" : message;
        count = Math.max(1, count);
    }
}

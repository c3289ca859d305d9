package io.kubeincident.core.detect;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads the {@code conditions} of any kind the same way: client-java gives each kind its own condition
 * class, so accessors are passed in.
 */
final class Conditions {

    private Conditions() {
    }

    static <C> Optional<C> find(List<C> conditions, Function<C, String> type, String wanted) {
        if (conditions == null) return Optional.empty();
        for (C c : conditions) {
            if (wanted.equals(type.apply(c))) return Optional.of(c);
        }
        return Optional.empty();
    }

    static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    /** True when {@code since} is known and at least {@code threshold} before {@code now}. */
    static boolean olderThan(Instant since, Instant now, Duration threshold) {
        return since != null && !since.plus(threshold).isAfter(now);
    }

    /** True when {@code at} is known and within {@code window} before {@code now}. */
    static boolean within(Instant at, Instant now, Duration window) {
        return at != null && !at.plus(window).isBefore(now);
    }

    static long minutesBetween(Instant from, Instant to) {
        return from == null ? 0 : Math.max(0, Duration.between(from, to).toMinutes());
    }
}

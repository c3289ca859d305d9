package io.kubeincident.core.safety;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A change freeze: starting at every time {@code start} matches, for {@code duration}, in the namespaces
 * listed ({@code *} for all), actions need a human's approval.
 *
 * @param name       the window's name (its config key segment)
 * @param namespaces namespaces it covers; {@code *} covers every namespace and cluster-scoped targets
 * @param start      when it begins
 * @param duration   how long it lasts, at most 7 days
 * @param zone       the time zone {@code start} is read in
 */
public record FreezeWindow(String name, Set<String> namespaces, Cron start, Duration duration, ZoneId zone) {

    static final Duration MAX = Duration.ofDays(7);

    public FreezeWindow {
        Objects.requireNonNull(name, "name");
        namespaces = namespaces == null || namespaces.isEmpty() ? Set.of("*") : Set.copyOf(namespaces);
        Objects.requireNonNull(start, "start");
        if (duration == null || duration.isNegative() || duration.isZero() || duration.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("safety.change_freeze." + name + ".duration must be within (0, 7d], was " + io.kubeincident.api.ConfigView.formatDuration(duration));
        }
        zone = zone == null ? ZoneId.of("UTC") : zone;
    }

    public boolean covers(String namespace) {
        return namespaces.contains("*") || (namespace != null && namespaces.contains(namespace));
    }

    /** The start of the freeze in force at {@code now}, if any (the latest matching minute within {@code duration}). */
    public Optional<Instant> activeSince(Instant now) {
        ZonedDateTime t = now.atZone(zone).truncatedTo(ChronoUnit.MINUTES);
        ZonedDateTime limit = now.minus(duration).atZone(zone);
        // bounded: at most 7 days of minutes, a few comparisons each
        while (t.isAfter(limit)) {
            if (start.matches(t)) return Optional.of(t.toInstant());
            t = t.minusMinutes(1);
        }
        return Optional.empty();
    }
}

package io.kubeincident.core.approval;

import io.kubeincident.api.Incident;
import io.kubeincident.api.PlannedAction;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Actions held for a human's decision; each expires after a TTL. Thread-safe. */
public final class ApprovalQueue {

    /** One held action. */
    public record Pending(String id, Incident incident, PlannedAction action, Instant requestedAt, Instant expiresAt) {
    }

    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final Clock clock;
    private final Duration ttl;

    public ApprovalQueue(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    public synchronized Pending hold(Incident incident, PlannedAction action) {
        Instant now = clock.instant();
        Pending p = new Pending(UUID.randomUUID().toString(), incident, action, now, now.plus(ttl));
        pending.put(p.id(), p);
        return p;
    }

    /** Removes and returns the request if it exists and has not expired. */
    public synchronized Optional<Pending> take(String id) {
        expire();
        return Optional.ofNullable(pending.remove(id));
    }

    public synchronized List<Pending> list() {
        expire();
        return new ArrayList<>(pending.values());
    }

    /** Drops expired requests and returns them. */
    public synchronized List<Pending> expire() {
        Instant now = clock.instant();
        List<Pending> expired = new ArrayList<>();
        pending.values().removeIf(p -> {
            boolean gone = !p.expiresAt().isAfter(now);
            if (gone) expired.add(p);
            return gone;
        });
        return expired;
    }
}

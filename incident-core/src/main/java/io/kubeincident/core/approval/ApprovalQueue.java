package io.kubeincident.core.approval;

import io.kubeincident.api.Incident;
import io.kubeincident.api.PlannedAction;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Actions held for a human's decision. Each request expires after a TTL; the same action on the same target
 * for the same incident is held once, not once per sweep; the queue is bounded (the oldest request is
 * expired early when it is full). Recently decided and expired ids are remembered for a while so that a
 * late answer learns what happened instead of "unknown". Thread-safe.
 */
public final class ApprovalQueue {

    /** One held action. */
    public record Pending(String id, Incident incident, PlannedAction action, Instant requestedAt, Instant expiresAt) {
        /** incident + action type + target: the identity of "the same request". */
        String key() {
            return incident.fingerprint() + "|" + action.action().actionType() + "|" + action.action().target().key();
        }
    }

    /** What became of a request that is no longer pending. */
    public enum Gone { APPROVED, REJECTED, EXPIRED }

    private static final int REMEMBERED = 1000;

    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final LinkedHashMap<String, Gone> gone = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Gone> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final List<Pending> expiredUnreported = new ArrayList<>();
    private final Clock clock;
    private final Duration ttl;
    private final int capacity;

    public ApprovalQueue(Clock clock, Duration ttl) {
        this(clock, ttl, 200);
    }

    public ApprovalQueue(Clock clock, Duration ttl, int capacity) {
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("approval TTL must be positive");
        if (capacity < 1) throw new IllegalArgumentException("approval capacity must be >= 1");
        this.clock = clock;
        this.ttl = ttl;
        this.capacity = capacity;
    }

    public Duration ttl() {
        return ttl;
    }

    /** Holds {@code action}; an equal request already pending is returned instead of a second one. */
    public synchronized Pending hold(Incident incident, PlannedAction action) {
        expireDue();
        Instant now = clock.instant();
        Pending candidate = new Pending(UUID.randomUUID().toString(), incident, action, now, now.plus(ttl));
        for (Pending p : pending.values()) {
            if (p.key().equals(candidate.key())) return p;
        }
        while (pending.size() >= capacity) {
            Iterator<Pending> it = pending.values().iterator();
            Pending oldest = it.next();
            it.remove();
            markGone(oldest, Gone.EXPIRED);
        }
        pending.put(candidate.id(), candidate);
        return candidate;
    }

    /** Whether an equal request (same incident, action type and target) is pending. */
    public synchronized boolean isPending(Incident incident, PlannedAction action) {
        expireDue();
        String key = incident.fingerprint() + "|" + action.action().actionType() + "|" + action.action().target().key();
        return pending.values().stream().anyMatch(p -> p.key().equals(key));
    }

    /** Removes and returns the request if it exists and has not expired. */
    public synchronized Optional<Pending> take(String id) {
        expireDue();
        return Optional.ofNullable(pending.remove(id));
    }

    /** Removes the request for a decision; remembers which. */
    synchronized Optional<Pending> decide(String id, Gone decision) {
        expireDue();
        Pending p = pending.remove(id);
        if (p != null) gone.put(id, decision);
        return Optional.ofNullable(p);
    }

    /** What became of {@code id}, when it is no longer pending and still remembered. */
    public synchronized Optional<Gone> fate(String id) {
        expireDue();
        return Optional.ofNullable(gone.get(id));
    }

    public synchronized List<Pending> list() {
        expireDue();
        return new ArrayList<>(pending.values());
    }

    public synchronized Optional<Pending> get(String id) {
        expireDue();
        return Optional.ofNullable(pending.get(id));
    }

    /** Drops expired requests and returns every request that expired since the last call (each once). */
    public synchronized List<Pending> expire() {
        expireDue();
        List<Pending> out = new ArrayList<>(expiredUnreported);
        expiredUnreported.clear();
        return out;
    }

    /** Withdraws every request of an incident, by its id (resolved or escalated meanwhile); returns them. */
    public synchronized List<Pending> withdraw(String incidentId) {
        List<Pending> out = new ArrayList<>();
        pending.values().removeIf(p -> {
            boolean match = p.incident().id().equals(incidentId);
            if (match) {
                out.add(p);
                gone.put(p.id(), Gone.EXPIRED);
            }
            return match;
        });
        return out;
    }

    private void expireDue() {
        Instant now = clock.instant();
        pending.values().removeIf(p -> {
            boolean due = !p.expiresAt().isAfter(now);
            if (due) markGone(p, Gone.EXPIRED);
            return due;
        });
    }

    private void markGone(Pending p, Gone how) {
        gone.put(p.id(), how);
        if (how == Gone.EXPIRED) expiredUnreported.add(p);
        if (expiredUnreported.size() > REMEMBERED) expiredUnreported.remove(0);
    }
}

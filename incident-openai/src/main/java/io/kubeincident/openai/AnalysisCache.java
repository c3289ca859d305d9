package io.kubeincident.openai;

import io.kubeincident.api.Diagnosis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Accepted diagnoses by key (incident fingerprint + model + prompt version + outcome history state) for a
 * TTL, so a re-opened or updated incident does not pay twice. Bounded; expired entries go first, then the
 * oldest. A zero TTL disables it. Thread-safe.
 */
final class AnalysisCache {

    private record Entry(Diagnosis diagnosis, Instant storedAt, Instant expiresAt) {
    }

    private final Duration ttl;
    private final int maxEntries;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    AnalysisCache(Duration ttl, int maxEntries, Clock clock) {
        this.ttl = ttl;
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    Optional<Diagnosis> get(String key) {
        if (ttl.isZero()) return Optional.empty();
        Entry e = entries.get(key);
        if (e == null) return Optional.empty();
        if (!clock.instant().isBefore(e.expiresAt)) {
            entries.remove(key, e);
            return Optional.empty();
        }
        return Optional.of(e.diagnosis);
    }

    void put(String key, Diagnosis diagnosis) {
        if (ttl.isZero()) return;
        Instant now = clock.instant();
        if (entries.size() >= maxEntries) evict(now);
        entries.put(key, new Entry(diagnosis, now, now.plus(ttl)));
    }

    int size() {
        return entries.size();
    }

    private synchronized void evict(Instant now) {
        entries.values().removeIf(e -> !now.isBefore(e.expiresAt));
        while (entries.size() >= maxEntries) {
            String oldest = null;
            Instant at = Instant.MAX;
            for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Entry> e = it.next();
                if (e.getValue().storedAt.isBefore(at)) {
                    at = e.getValue().storedAt;
                    oldest = e.getKey();
                }
            }
            if (oldest == null) return;
            entries.remove(oldest);
        }
    }
}

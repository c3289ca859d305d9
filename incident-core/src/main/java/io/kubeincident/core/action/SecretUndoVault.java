package io.kubeincident.core.action;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Keeps the previous values of patched Secrets in this process's memory only, so that an undo can restore
 * them while the audit trail, events and undo state carry nothing but an opaque reference and key names.
 * Bounded in entries and time; lost on restart (an undo then fails and says so). Thread-safe.
 */
public final class SecretUndoVault {

    private record Entry(Map<String, Optional<String>> previous, Instant expires) {
    }

    private final Clock clock;
    private final Duration ttl;
    private final int capacity;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    public SecretUndoVault(Clock clock, Duration ttl, int capacity) {
        this.clock = clock;
        this.ttl = ttl;
        this.capacity = capacity;
    }

    public static SecretUndoVault defaults(Clock clock) {
        return new SecretUndoVault(clock, Duration.ofHours(24), 256);
    }

    /**
     * Keeps {@code previous} (key to its base64 value as the API holds it; empty when the key was absent)
     * and returns the reference to it.
     */
    public synchronized String put(Map<String, Optional<String>> previous) {
        purge();
        while (entries.size() >= capacity) {
            Iterator<String> it = entries.keySet().iterator();
            it.next();
            it.remove();
        }
        String ref = UUID.randomUUID().toString();
        entries.put(ref, new Entry(Map.copyOf(previous), clock.instant().plus(ttl)));
        return ref;
    }

    public synchronized Optional<Map<String, Optional<String>>> get(String ref) {
        purge();
        Entry e = ref == null ? null : entries.get(ref);
        return e == null ? Optional.empty() : Optional.of(e.previous());
    }

    public synchronized void remove(String ref) {
        entries.remove(ref);
    }

    public synchronized int size() {
        purge();
        return entries.size();
    }

    private void purge() {
        Instant now = clock.instant();
        entries.values().removeIf(e -> !e.expires().isAfter(now));
    }
}

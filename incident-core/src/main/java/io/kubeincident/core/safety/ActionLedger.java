package io.kubeincident.core.safety;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ActionHistory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The engine's in-memory ledger of started actions (kept for a bounded window), and the per-target lock
 * that makes two actions racing on one resource run one at a time: the second is refused.
 */
public final class ActionLedger implements ActionHistory {
    private static final Duration KEEP = Duration.ofHours(25);

    private final Deque<Entry> entries = new ArrayDeque<>();
    private final Set<String> busyTargets = new HashSet<>();
    private int running;

    /** Claims {@code target} for one action; false when another action holds it. */
    public synchronized boolean tryClaim(ResourceRef target) {
        return busyTargets.add(target.key());
    }

    public synchronized void release(ResourceRef target) {
        busyTargets.remove(target.key());
    }

    public synchronized Entry started(String incidentId, String fingerprint, String actionType, ResourceRef target,
                                      Instant at, boolean dryRun) {
        prune(at);
        Entry e = new Entry(incidentId, fingerprint, actionType, target, at, dryRun, "running");
        entries.addLast(e);
        if (!dryRun) running++;
        return e;
    }

    public synchronized void finished(Entry started, String result) {
        if (!started.dryRun()) running = Math.max(0, running - 1);
        // Entries are values: replace the running one with its result.
        List<Entry> copy = new ArrayList<>(entries);
        int i = copy.indexOf(started);
        if (i >= 0) {
            copy.set(i, new Entry(started.incidentId(), started.fingerprint(), started.actionType(), started.target(),
                    started.startedAt(), started.dryRun(), result));
            entries.clear();
            entries.addAll(copy);
        }
    }

    @Override
    public synchronized List<Entry> since(Instant since) {
        return entries.stream().filter(e -> !e.startedAt().isBefore(since)).toList();
    }

    @Override
    public synchronized int running() {
        return running;
    }

    private void prune(Instant now) {
        Instant cutoff = now.minus(KEEP);
        while (!entries.isEmpty() && entries.peekFirst().startedAt().isBefore(cutoff)) entries.removeFirst();
    }
}

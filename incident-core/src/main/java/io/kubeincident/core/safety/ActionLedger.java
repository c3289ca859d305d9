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
 * The engine's in-memory ledger of started actions (kept for a bounded window), read by the rate-limit,
 * cooldown and retry-budget policies through {@link ActionHistory}; and the per-target claim that makes two
 * actions racing on one resource run one at a time (the second is refused, not queued). Claims also enforce
 * the concurrency ceiling atomically, which the policies can only check ahead of time. Thread-safe.
 */
public final class ActionLedger implements ActionHistory {

    /** Why {@link #claim} refused, or that it did not. */
    public enum Claim {
        CLAIMED, TARGET_BUSY, AT_CAPACITY;

        public boolean granted() {
            return this == CLAIMED;
        }
    }

    private static final Duration DEFAULT_KEEP = Duration.ofHours(25);
    private static final int MAX_ENTRIES = 10_000;

    /** A started action; its result is filled in when it finishes. */
    public static final class Slot {
        private final Entry started;
        private volatile String result;

        private Slot(Entry started) {
            this.started = started;
            this.result = started.result();
        }

        public Entry entry() {
            Entry s = started;
            return new Entry(s.incidentId(), s.fingerprint(), s.actionType(), s.target(), s.startedAt(), s.dryRun(), result);
        }
    }

    private final Deque<Slot> entries = new ArrayDeque<>();
    private final Set<String> busyTargets = new HashSet<>();
    private final Duration keep;
    private final int maxConcurrent;
    private int running;

    /** Unbounded concurrency (the rate-limit policy still judges it), entries kept 25 hours. */
    public ActionLedger() {
        this(Integer.MAX_VALUE, DEFAULT_KEEP);
    }

    /**
     * @param maxConcurrent claims held at once ({@code safety.max_concurrent_actions})
     * @param keep          how long entries are kept (at least the longest window a policy looks back)
     */
    public ActionLedger(int maxConcurrent, Duration keep) {
        if (maxConcurrent < 1) throw new IllegalArgumentException("maxConcurrent must be >= 1");
        this.maxConcurrent = maxConcurrent;
        this.keep = keep.compareTo(DEFAULT_KEEP) < 0 ? DEFAULT_KEEP : keep;
    }

    public static ActionLedger of(SafetyConfig config) {
        return new ActionLedger(config.maxConcurrentActions(), config.retryWindow().plusHours(1));
    }

    /** Claims {@code target} for one action: refused when another action holds it or the ceiling is reached. */
    public synchronized Claim claim(ResourceRef target) {
        if (busyTargets.contains(target.key())) return Claim.TARGET_BUSY;
        if (busyTargets.size() >= maxConcurrent) return Claim.AT_CAPACITY;
        busyTargets.add(target.key());
        return Claim.CLAIMED;
    }

    /** As {@link #claim}, true when granted. */
    public synchronized boolean tryClaim(ResourceRef target) {
        return claim(target).granted();
    }

    public synchronized void release(ResourceRef target) {
        busyTargets.remove(target.key());
    }

    public synchronized boolean busy(ResourceRef target) {
        return busyTargets.contains(target.key());
    }

    /** Records a started action ({@code running}); finish it with {@link #finished}. */
    public synchronized Slot started(String incidentId, String fingerprint, String actionType, ResourceRef target,
                                     Instant at, boolean dryRun) {
        prune(at);
        Slot s = new Slot(new Entry(incidentId, fingerprint, actionType, target, at, dryRun, "running"));
        entries.addLast(s);
        if (!dryRun) running++;
        return s;
    }

    /** Sets the result ({@code applied}, {@code failed}, {@code skipped}, {@code dry-run}) of a started action. */
    public synchronized void finished(Slot slot, String result) {
        if ("running".equals(slot.result) && !slot.started.dryRun()) running = Math.max(0, running - 1);
        slot.result = result;
    }

    @Override
    public synchronized List<Entry> since(Instant since) {
        List<Entry> out = new ArrayList<>();
        for (Slot s : entries) {
            if (!s.started.startedAt().isBefore(since)) out.add(s.entry());
        }
        return out;
    }

    @Override
    public synchronized int running() {
        return running;
    }

    private void prune(Instant now) {
        Instant cutoff = now.minus(keep);
        while (!entries.isEmpty() && (entries.size() > MAX_ENTRIES || entries.peekFirst().started.startedAt().isBefore(cutoff))) {
            Slot s = entries.removeFirst();
            if ("running".equals(s.result) && !s.started.dryRun()) running = Math.max(0, running - 1);
        }
    }
}

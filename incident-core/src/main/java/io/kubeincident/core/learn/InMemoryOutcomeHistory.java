package io.kubeincident.core.learn;

import io.kubeincident.api.OutcomeRecord;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.OutcomeHistory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * Outcomes in memory, newest last, bounded (the oldest are forgotten). The base of the persistent stores,
 * and the store when none is configured. Thread-safe.
 */
public class InMemoryOutcomeHistory implements OutcomeHistory {

    private final Deque<OutcomeRecord> records = new ArrayDeque<>();
    private final int capacity;

    public InMemoryOutcomeHistory(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1");
        this.capacity = capacity;
    }

    public InMemoryOutcomeHistory() {
        this(10_000);
    }

    @Override
    public void record(OutcomeRecord outcome) {
        remember(outcome);
    }

    /** Adds to memory only (what loading from a store does). */
    protected final synchronized void remember(OutcomeRecord outcome) {
        records.addLast(Objects.requireNonNull(outcome));
        while (records.size() > capacity) records.removeFirst();
    }

    protected final synchronized void rememberAll(Collection<OutcomeRecord> outcomes) {
        outcomes.forEach(this::remember);
    }

    @Override
    public synchronized List<OutcomeRecord> find(String incidentType, String actionType) {
        List<OutcomeRecord> out = new ArrayList<>();
        for (Iterator<OutcomeRecord> it = records.descendingIterator(); it.hasNext(); ) {
            OutcomeRecord r = it.next();
            if (r.incidentType().equals(incidentType) && r.actionType().equals(actionType)) out.add(r);
        }
        return out;
    }

    @Override
    public synchronized List<OutcomeRecord> forResource(ResourceRef root) {
        List<OutcomeRecord> out = new ArrayList<>();
        for (Iterator<OutcomeRecord> it = records.descendingIterator(); it.hasNext(); ) {
            OutcomeRecord r = it.next();
            ResourceRef x = r.rootResource();
            if (x.kind().equals(root.kind()) && Objects.equals(x.namespace(), root.namespace()) && x.name().equals(root.name())) {
                out.add(r);
            }
        }
        return out;
    }

    /** Everything held, oldest first. */
    public synchronized List<OutcomeRecord> all() {
        return new ArrayList<>(records);
    }
}

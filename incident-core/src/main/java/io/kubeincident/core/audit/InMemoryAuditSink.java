package io.kubeincident.core.audit;

import io.kubeincident.api.AuditRecord;
import io.kubeincident.spi.AuditSink;

import java.util.ArrayList;
import java.util.List;

/** Keeps records in memory (bounded): for tests, CLIs and the demo. Thread-safe. */
public final class InMemoryAuditSink implements AuditSink {
    private final int capacity;
    private final List<AuditRecord> records = new ArrayList<>();

    public InMemoryAuditSink() {
        this(100_000);
    }

    public InMemoryAuditSink(int capacity) {
        this.capacity = capacity;
    }

    @Override
    public synchronized void write(AuditRecord record) {
        if (records.size() >= capacity) records.remove(0);
        records.add(record);
    }

    public synchronized List<AuditRecord> records() {
        return List.copyOf(records);
    }

    public List<AuditRecord> forIncident(String incidentId) {
        return records().stream().filter(r -> r.incidentId().equals(incidentId)).toList();
    }

    public List<AuditRecord> withStep(String step) {
        return records().stream().filter(r -> r.step().equals(step)).toList();
    }
}

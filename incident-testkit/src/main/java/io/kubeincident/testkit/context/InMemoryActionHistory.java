package io.kubeincident.testkit.context;

import io.kubeincident.spi.ActionHistory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A thread-safe in-memory {@link ActionHistory} for policy tests: add entries, read them back. */
public final class InMemoryActionHistory implements ActionHistory {

    private final List<Entry> entries = new ArrayList<>();

    public synchronized InMemoryActionHistory add(Entry e) {
        entries.add(e);
        return this;
    }

    @Override
    public synchronized List<Entry> since(Instant since) {
        return entries.stream().filter(e -> !e.startedAt().isBefore(since))
                .sorted(Comparator.comparing(Entry::startedAt)).toList();
    }

    @Override
    public synchronized int running() {
        return (int) entries.stream().filter(e -> !e.dryRun() && "running".equals(e.result())).count();
    }
}

package io.kubeincident.core.learn;

import io.kubeincident.api.OutcomeRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Outcomes in a JSON-lines file (one record per line, appended and flushed per record), loaded at start.
 * Lines that are not records (a torn last write, a hand edit) are skipped and counted. A write that fails is
 * logged and the record kept in memory: learning is advice, it never stops the engine. Thread-safe.
 */
public final class JsonLinesOutcomeHistory extends InMemoryOutcomeHistory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JsonLinesOutcomeHistory.class);

    private final Path file;
    private final int skippedLines;
    private BufferedWriter writer;

    public JsonLinesOutcomeHistory(Path file, int capacity) {
        super(capacity);
        this.file = file;
        int skipped = 0;
        if (Files.exists(file)) {
            List<OutcomeRecord> loaded = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (line.isBlank()) continue;
                    Optional<OutcomeRecord> r = OutcomeJson.read(line);
                    if (r.isPresent()) loaded.add(r.get());
                    else skipped++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read outcome history " + file, e);
            }
            rememberAll(loaded);
        }
        this.skippedLines = skipped;
        if (skipped > 0) LOG.warn("outcome history {}: skipped {} line(s) that are not records", file, skipped);
    }

    public JsonLinesOutcomeHistory(Path file) {
        this(file, 10_000);
    }

    /** Lines of the file that were not records when it was loaded. */
    public int skippedLines() {
        return skippedLines;
    }

    public Path file() {
        return file;
    }

    @Override
    public void record(OutcomeRecord outcome) {
        super.record(outcome);
        synchronized (this) {
            try {
                if (writer == null) {
                    Path parent = file.toAbsolutePath().getParent();
                    if (parent != null) Files.createDirectories(parent);
                    writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND, StandardOpenOption.WRITE);
                }
                writer.write(OutcomeJson.write(outcome));
                writer.write('\n');
                writer.flush();
            } catch (IOException e) {
                LOG.warn("cannot append to outcome history {}: {}; kept in memory", file, e.toString());
                closeQuietly();
            }
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (writer == null) return;
        try {
            writer.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
        writer = null;
    }
}

package io.kubeincident.core.audit;

import io.kubeincident.api.AuditRecord;
import io.kubeincident.spi.AuditSink;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends one JSON object per line to a file and flushes every record before returning, so that an
 * action's intent is on disk before the action runs.
 */
public final class JsonLinesAuditSink implements AuditSink {
    private final Path file;
    private final OutputStream out;

    public JsonLinesAuditSink(Path file) {
        this.file = file;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            this.out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open audit file " + file, e);
        }
    }

    @Override
    public synchronized void write(AuditRecord record) {
        try {
            out.write((AuditJson.toJson(record) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write audit file " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // closing: nothing left to save
        }
    }
}

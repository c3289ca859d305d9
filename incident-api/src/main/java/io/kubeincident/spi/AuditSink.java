package io.kubeincident.spi;

import io.kubeincident.api.AuditRecord;

/**
 * Where audit records go. {@link #write} must be thread-safe and durable when it returns (a file sink
 * flushes every record), because an action's intent is written before the action runs. Failures are
 * logged by the engine; a sink must not throw for a single bad record.
 */
public interface AuditSink extends AutoCloseable {

    void write(AuditRecord record);

    @Override
    default void close() {
    }
}

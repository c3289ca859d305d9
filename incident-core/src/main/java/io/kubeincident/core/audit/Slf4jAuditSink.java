package io.kubeincident.core.audit;

import io.kubeincident.api.AuditRecord;
import io.kubeincident.spi.AuditSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Writes each record as one SLF4J event with key-values ({@code incident_id}, {@code action},
 * {@code resource}, {@code confidence}, ...), so a JSON log encoder renders the structured log line.
 */
public final class Slf4jAuditSink implements AuditSink {
    private static final Logger LOG = LoggerFactory.getLogger("io.kubeincident.audit");

    @Override
    public void write(AuditRecord record) {
        LoggingEventBuilder b = (isWarning(record) ? LOG.atWarn() : LOG.atInfo())
                .addKeyValue("incident_id", record.incidentId())
                .addKeyValue("step", record.step());
        record.fields().forEach(b::addKeyValue);
        b.log(summary(record));
    }

    private static boolean isWarning(AuditRecord r) {
        return switch (r.step()) {
            case "provider-error", "analyzer-failed", "escalated", "detector-error" -> true;
            default -> "failed".equals(r.field("result"));
        };
    }

    private static String summary(AuditRecord r) {
        StringBuilder sb = new StringBuilder(r.step());
        for (String k : new String[]{"action", "resource", "decision", "result", "message"}) {
            Object v = r.field(k);
            if (v != null) sb.append(' ').append(k).append('=').append(v);
        }
        return sb.toString();
    }
}

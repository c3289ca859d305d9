package io.kubeincident.core.audit;

import io.kubeincident.api.AuditRecord;
import io.kubeincident.spi.AuditSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fans each record out to every sink. A failing sink is logged and skipped; the others still get the
 * record. Returns only after every sink has returned (durability of the intent record).
 */
public final class AuditTrail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
    private final List<AuditSink> sinks;
    private final Clock clock;

    public AuditTrail(List<AuditSink> sinks, Clock clock) {
        this.sinks = List.copyOf(sinks);
        this.clock = clock;
    }

    public void write(String incidentId, String step, Map<String, Object> fields) {
        AuditRecord record = new AuditRecord(clock.instant(), incidentId, step, fields);
        for (AuditSink sink : sinks) {
            try {
                sink.write(record);
            } catch (RuntimeException e) {
                LOG.error("audit sink {} failed for {} {}: {}", sink.getClass().getSimpleName(), incidentId, step,
                        e.toString());
            }
        }
    }

    /** Fields builder that skips nulls and keeps insertion order. */
    public static Fields fields() {
        return new Fields();
    }

    @Override
    public void close() {
        for (AuditSink sink : sinks) {
            try {
                sink.close();
            } catch (RuntimeException e) {
                LOG.warn("closing audit sink {}: {}", sink.getClass().getSimpleName(), e.toString());
            }
        }
    }

    public static final class Fields {
        private final Map<String, Object> map = new LinkedHashMap<>();

        public Fields put(String key, Object value) {
            if (value != null) map.put(key, value);
            return this;
        }

        public Map<String, Object> map() {
            return map;
        }
    }
}

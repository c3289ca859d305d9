package io.kubeincident.core.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubeincident.api.AuditRecord;
import io.kubeincident.spi.AuditSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditTrailTest {
    private final Clock clock = Clock.fixed(Instant.parse("2024-01-20T10:30:00Z"), ZoneOffset.UTC);

    @Test
    void fileSinkHasTheRecordOnDiskBeforeWriteReturns(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("audit/audit.jsonl");
        JsonLinesAuditSink sink = new JsonLinesAuditSink(file);
        AuditTrail trail = new AuditTrail(List.of(sink), clock);
        trail.write("crash-loop-1", "intent", AuditTrail.fields().put("action", "restart-pod")
                .put("resource", "Pod/default/web-1").put("confidence", 0.85).put("skipped-null", null)
                .put("reasoning", "Pod in CrashLoopBackOff").map());
        // Read while the sink is still open: flushed, not buffered.
        List<String> lines = Files.readAllLines(file);
        assertEquals(1, lines.size());
        JsonNode json = new ObjectMapper().readTree(lines.get(0));
        assertEquals("2024-01-20T10:30:00Z", json.get("timestamp").asText());
        assertEquals("crash-loop-1", json.get("incident_id").asText());
        assertEquals("intent", json.get("step").asText());
        assertEquals("restart-pod", json.get("action").asText());
        assertEquals(0.85, json.get("confidence").asDouble());
        assertTrue(!json.has("skipped-null"));
        trail.close();
    }

    @Test
    void aFailingSinkDoesNotStopTheOthers() {
        InMemoryAuditSink memory = new InMemoryAuditSink();
        AuditSink broken = record -> {
            throw new IllegalStateException("disk full");
        };
        AuditTrail trail = new AuditTrail(List.of(broken, memory), clock);
        trail.write("i-1", "outcome", AuditTrail.fields().put("result", "applied").map());
        List<AuditRecord> records = memory.records();
        assertEquals(1, records.size());
        assertEquals("applied", records.get(0).field("result"));
    }

    @Test
    void inMemorySinkIsBounded() {
        InMemoryAuditSink memory = new InMemoryAuditSink(2);
        AuditTrail trail = new AuditTrail(List.of(memory), clock);
        for (int i = 0; i < 5; i++) trail.write("i-" + i, "detected", null);
        assertEquals(List.of("i-3", "i-4"), memory.records().stream().map(AuditRecord::incidentId).toList());
    }
}

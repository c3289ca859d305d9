package io.kubeincident.responder.logging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubeincident.api.AuditRecord;
import io.kubeincident.core.audit.Slf4jAuditSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code run} logs one flat JSON object per line with the fields log pipelines expect. */
class JsonLogsTest {
    private final ByteArrayOutputStream sink = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        LogSetup.configure(LogSetup.Format.TEXT, "WARN", System.err);
    }

    @Test
    void auditRecordsBecomeFlatJsonWithTheSeedFields() throws Exception {
        LogSetup.configure(LogSetup.Format.JSON, "INFO", new PrintStream(sink, true, StandardCharsets.UTF_8));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("action", "restart-pod");
        fields.put("resource", "Pod/default/failing-pod");
        fields.put("confidence", 0.85);
        fields.put("reasons", List.of("confidence 0.85 ≥ 0.80"));
        fields.put("reasoning", "Pod in CrashLoopBackOff with memory issues, restart likely to resolve");
        new Slf4jAuditSink().write(new AuditRecord(Instant.parse("2024-01-20T10:30:00Z"), "inc-42", "intent", fields));

        String line = sink.toString(StandardCharsets.UTF_8).trim();
        assertEquals(1, line.lines().count(), line);
        JsonNode n = new ObjectMapper().readTree(line);
        assertTrue(n.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), line);
        assertEquals("INFO", n.get("level").asText());
        assertEquals("inc-42", n.get("incident_id").asText());
        assertEquals("intent", n.get("step").asText());
        assertEquals("restart-pod", n.get("action").asText());
        assertEquals("Pod/default/failing-pod", n.get("resource").asText());
        assertEquals(0.85, n.get("confidence").asDouble());
        assertTrue(n.get("reasons").isArray());
        assertEquals("Pod in CrashLoopBackOff with memory issues, restart likely to resolve", n.get("reasoning").asText());
    }

    @Test
    void exceptionsStayOnOneLine() throws Exception {
        LogSetup.configure(LogSetup.Format.JSON, "INFO", new PrintStream(sink, true, StandardCharsets.UTF_8));
        LoggerFactory.getLogger("io.kubeincident.test").atError().addKeyValue("incident_id", "x")
                .setCause(new IllegalStateException("boom\nsecond line")).log("failed");
        String out = sink.toString(StandardCharsets.UTF_8);
        assertEquals(1, out.lines().count(), out);
        JsonNode n = new ObjectMapper().readTree(out);
        assertEquals("ERROR", n.get("level").asText());
        assertTrue(n.get("error").asText().startsWith("java.lang.IllegalStateException: boom"), out);
    }

    @Test
    void textFormatIsForHumans() {
        LogSetup.configure(LogSetup.Format.TEXT, "INFO", new PrintStream(sink, true, StandardCharsets.UTF_8));
        LoggerFactory.getLogger("io.kubeincident.test").info("hello {}", "there");
        assertTrue(sink.toString(StandardCharsets.UTF_8).matches("(?s)\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  test - hello there\\s*"),
                sink.toString(StandardCharsets.UTF_8));
    }

    @Test
    void textFormatKeepsTheKeyValues() {
        LogSetup.configure(LogSetup.Format.TEXT, "INFO", new PrintStream(sink, true, StandardCharsets.UTF_8));
        LoggerFactory.getLogger("io.kubeincident.audit").atInfo().addKeyValue("diagnosis", "bad-rollout")
                .addKeyValue("confidence", 0.9).log("analyzed");
        String out = sink.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("audit - analyzed diagnosis=\"bad-rollout\" confidence=\"0.9\""), out);
    }
}

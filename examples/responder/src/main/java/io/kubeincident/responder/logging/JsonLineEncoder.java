package io.kubeincident.responder.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.event.KeyValuePair;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One JSON object per line: {@code timestamp}, {@code level}, {@code logger}, {@code message}, then every
 * SLF4J key-value at the top level ({@code incident_id}, {@code action}, {@code resource},
 * {@code confidence}, {@code reasoning}, ...), then {@code error} when an exception is attached.
 *
 * <p>Ours rather than logback's {@code JsonEncoder}: that one nests key-values in a {@code kvpList}
 * array and adds sequence numbers and context maps, where log pipelines expect flat fields.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] NONE = new byte[0];

    @Override
    public byte[] headerBytes() {
        return NONE;
    }

    @Override
    public byte[] footerBytes() {
        return NONE;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timestamp", Instant.ofEpochMilli(event.getTimeStamp()).toString());
        m.put("level", event.getLevel().toString());
        m.put("logger", event.getLoggerName());
        m.put("message", event.getFormattedMessage());
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair kv : event.getKeyValuePairs()) {
                if (kv.key != null && !m.containsKey(kv.key)) m.put(kv.key, jsonable(kv.value));
            }
        }
        if (event.getMDCPropertyMap() != null) {
            event.getMDCPropertyMap().forEach(m::putIfAbsent);
        }
        if (event.getThrowableProxy() != null) m.put("error", render(event.getThrowableProxy()));
        String line;
        try {
            line = MAPPER.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            Map<String, Object> safe = new LinkedHashMap<>();
            m.forEach((k, v) -> safe.put(k, v == null ? null : String.valueOf(v)));
            try {
                line = MAPPER.writeValueAsString(safe);
            } catch (JsonProcessingException impossible) {
                line = "{\"level\":\"ERROR\",\"message\":\"unloggable event\"}";
            }
        }
        return (line + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static Object jsonable(Object v) {
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean
                || v instanceof Map<?, ?> || v instanceof java.util.Collection<?>) {
            return v;
        }
        return String.valueOf(v);
    }

    private static String render(IThrowableProxy t) {
        StringBuilder sb = new StringBuilder();
        IThrowableProxy cur = t;
        int depth = 0;
        while (cur != null && depth++ < 5) {
            if (sb.length() > 0) sb.append("\nCaused by: ");
            sb.append(cur.getClassName()).append(": ").append(cur.getMessage());
            StackTraceElementProxy[] frames = cur.getStackTraceElementProxyArray();
            for (int i = 0; frames != null && i < Math.min(frames.length, 20); i++) {
                sb.append("\n\tat ").append(frames[i].getStackTraceElement());
            }
            cur = cur.getCause();
        }
        return sb.toString();
    }
}

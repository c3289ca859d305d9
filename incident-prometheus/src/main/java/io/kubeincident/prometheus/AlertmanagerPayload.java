package io.kubeincident.prometheus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Alertmanager's webhook body (payload version 4): receiver, status, alerts with status, labels, annotations,
 * startsAt, endsAt, generatorURL and fingerprint. {@link #parse} checks all of it and names the first problem.
 */
public record AlertmanagerPayload(String receiver, String status, List<Alert> alerts) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bodies larger than this are refused (10,000 alerts of a usual size fit well within it). */
    public static final int MAX_BYTES = 32 << 20;

    public AlertmanagerPayload {
        alerts = List.copyOf(alerts);
    }

    /** One alert of the payload. {@code endsAt} is null while it fires with no end known. */
    public record Alert(String status, Map<String, String> labels, Map<String, String> annotations, Instant startsAt,
                        Instant endsAt, String generatorURL, String fingerprint) {
        public Alert {
            labels = Map.copyOf(labels);
            annotations = Map.copyOf(annotations);
        }

        public boolean firing() {
            return "firing".equals(status);
        }

        public String name() {
            return labels.get("alertname");
        }
    }

    /** Thrown by {@link #parse} with the reason a 400 answer carries. */
    public static final class Malformed extends Exception {
        public Malformed(String reason) {
            super(reason);
        }
    }

    public static AlertmanagerPayload parse(byte[] body) throws Malformed {
        if (body == null || body.length == 0) throw new Malformed("empty body: expected Alertmanager's webhook JSON");
        if (body.length > MAX_BYTES) throw new Malformed("body larger than " + MAX_BYTES + " bytes");
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Malformed("not JSON: " + PrometheusClient.oneLine(e.getOriginalMessage()));
        } catch (java.io.IOException e) {
            throw new Malformed("unreadable body");
        }
        if (root == null || !root.isObject()) throw new Malformed("expected a JSON object");
        JsonNode version = root.get("version");
        if (version != null && !version.isNull() && !"4".equals(version.asText())) {
            throw new Malformed("version: expected \"4\", was " + version);
        }
        String status = status(root.get("status"), "status");
        String receiver = root.path("receiver").asText("");
        JsonNode list = root.get("alerts");
        if (list == null || !list.isArray()) throw new Malformed("alerts: expected an array");
        List<Alert> alerts = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            alerts.add(alert(list.get(i), "alerts[" + i + "]"));
        }
        return new AlertmanagerPayload(receiver, status, alerts);
    }

    private static Alert alert(JsonNode a, String where) throws Malformed {
        if (!a.isObject()) throw new Malformed(where + ": expected an object");
        String status = status(a.get("status"), where + ".status");
        Map<String, String> labels = strings(a.get("labels"), where + ".labels", true);
        String name = labels.get("alertname");
        if (name == null || name.isBlank()) throw new Malformed(where + ".labels.alertname: required");
        Map<String, String> annotations = strings(a.get("annotations"), where + ".annotations", false);
        Instant startsAt = time(a.get("startsAt"), where + ".startsAt", true);
        Instant endsAt = time(a.get("endsAt"), where + ".endsAt", false);
        String fingerprint = a.path("fingerprint").asText("");
        if (!fingerprint.matches("[0-9a-zA-Z]{1,64}")) {
            throw new Malformed(where + ".fingerprint: expected Alertmanager's hexadecimal fingerprint, was \"" + clip(fingerprint) + "\"");
        }
        return new Alert(status, labels, annotations, startsAt, endsAt, a.path("generatorURL").asText(""), fingerprint);
    }

    private static String status(JsonNode n, String where) throws Malformed {
        String s = n == null ? "" : n.asText("");
        if (!s.equals("firing") && !s.equals("resolved")) {
            throw new Malformed(where + ": expected \"firing\" or \"resolved\", was \"" + clip(s) + "\"");
        }
        return s;
    }

    private static Map<String, String> strings(JsonNode n, String where, boolean required) throws Malformed {
        Map<String, String> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            if (required) throw new Malformed(where + ": required");
            return out;
        }
        if (!n.isObject()) throw new Malformed(where + ": expected an object of strings");
        var it = n.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().isTextual()) throw new Malformed(where + "." + e.getKey() + ": expected a string");
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static Instant time(JsonNode n, String where, boolean required) throws Malformed {
        String s = n == null || n.isNull() ? "" : n.asText("");
        if (s.isEmpty()) {
            if (required) throw new Malformed(where + ": required (RFC 3339 time)");
            return null;
        }
        try {
            Instant t = java.time.OffsetDateTime.parse(s).toInstant();
            return t.getEpochSecond() <= 0 ? null : t;  // Alertmanager's zero time (0001-01-01) means "not set"
        } catch (DateTimeParseException e) {
            throw new Malformed(where + ": not an RFC 3339 time: \"" + clip(s) + "\"");
        }
    }

    private static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}

package io.kubeincident.responder.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.testkit.Await;
import io.kubeincident.testkit.prometheus.AlertmanagerServer;
import io.kubeincident.testkit.server.KubeServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Alerts in, end to end: an alert posted to a real Alertmanager (Debian's 0.25) is routed and grouped by it, sent to
 * the responder's webhook with the API token, and joins the incident the watch opened for the same pod; resolving it
 * in Alertmanager clears its finding again. Bad tokens and bodies are refused.
 */
class AlertmanagerWebhookTest {
    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension();

    private static final String TOKEN = "webhook-token-42";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Responder responder;
    private AlertmanagerServer alertmanager;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (alertmanager != null) alertmanager.close();
        if (responder != null) responder.close();
    }

    private Responder start() throws Exception {
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, """
                monitoring:
                  scan_interval: 1
                responder_test:
                  fixed_analyzer: true
                  confidence: 0.7
                """);
        Map<String, String> overrides = Map.of("runtime.namespace", "kube-incident", "audit.file", "");
        ResponderConfig cfg = ResponderConfig.load(f, null, Map.of(), overrides).validated();
        Responder.Settings s = new Responder.Settings("kube-incident", "responder", "solo", false, "127.0.0.1", 0, TOKEN,
                Duration.ofHours(1), List.of(f), () -> ResponderConfig.load(f, null, Map.of(), overrides).validated());
        return new Responder(s, cfg, kube.apiClient());
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + responder.httpPort() + path))
                .timeout(Duration.ofSeconds(10)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Optional<JsonNode> incident() {
        try {
            JsonNode all = JSON.readTree(send("GET", "/api/v1/incidents", TOKEN, null).body()).get("incidents");
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static String alert(String pod, Instant endsAt) {
        return """
                [{"labels": {"alertname": "KubePodCrashLooping", "namespace": "shop", "pod": "%s", "container": "app",
                             "severity": "warning", "job": "kube-state-metrics"},
                  "annotations": {"summary": "Pod is crash looping.",
                                  "description": "Pod shop/%s (app) is in waiting state (reason: CrashLoopBackOff)."},
                  "generatorURL": "http://prometheus.example/graph"%s}]
                """.formatted(pod, pod, endsAt == null ? "" : ", \"endsAt\": \"" + endsAt + "\"");
    }

    @Test
    void anAlertThroughAlertmanagerJoinsTheWatchedIncidentAndLeavesItWhenResolved() throws Exception {
        assertTrue(AlertmanagerServer.available(), "prometheus-alertmanager is not installed (.ci/run installs it)");
        String pod = io.kubeincident.responder.FixturesAccess.crashLoopingDeployment(kube.apiClient(), "shop", "web");
        responder = start();
        Await.until(WAIT, responder::leading, "the responder leads");
        JsonNode watched = Await.value(WAIT, this::incident, "the watch opens an incident");
        assertEquals("crash-loop", watched.get("type").asText());
        assertEquals("[\"watch\"]", watched.get("sources").toString(), watched.toString());
        String id = watched.get("id").asText();

        alertmanager = AlertmanagerServer.start(dir.resolve("am"),
                URI.create("http://127.0.0.1:" + responder.httpPort() + "/api/v1/alerts"), TOKEN);
        alertmanager.postAlerts(alert(pod, null));
        JsonNode joined = Await.value(WAIT, () -> incident().filter(i -> i.get("sources").toString().contains("alert")),
                "the alert joins the incident");
        assertEquals(id, joined.get("id").asText(), "one incident, not a second one: " + joined);
        assertEquals("[\"alert\",\"watch\"]", joined.get("sources").toString());
        JsonNode alertFinding = null;
        for (JsonNode f : joined.get("findings")) if (f.get("source").asText().equals("alert")) alertFinding = f;
        assertEquals(pod, alertFinding.at("/resource/name").asText());
        assertEquals("crash-loop", alertFinding.get("type").asText());
        assertTrue(alertFinding.get("message").asText().contains("KubePodCrashLooping"), alertFinding.toString());

        // Alertmanager re-sends the group on its own schedule; re-deliveries of one fingerprint stay one finding.
        alertmanager.postAlerts(alert(pod, null));
        Await.holds(Duration.ofSeconds(2), () -> incident().map(i -> i.get("findings").size() == 2).orElse(false),
                "re-deliveries are idempotent");

        alertmanager.postAlerts(alert(pod, Instant.now().minusSeconds(1)));
        JsonNode cleared = Await.value(WAIT, () -> incident().filter(i -> i.get("sources").toString().equals("[\"watch\"]")),
                "the resolved alert leaves the incident");
        assertEquals(id, cleared.get("id").asText(), "the watched incident stays open");
        assertTrue(responder.alertIntake().firing().isEmpty());
    }

    @Test
    void wrongTokenMalformedBodiesAndWrongMethodsAreRefused() throws Exception {
        responder = start();
        Await.until(WAIT, responder::leading, "the responder leads");
        String valid = """
                {"version":"4","status":"firing","receiver":"kube-incident","alerts":[{"status":"firing",
                 "labels":{"alertname":"Watchdog"},"annotations":{},"startsAt":"2026-01-01T00:00:00Z",
                 "endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"a1b2c3"}]}""";
        assertEquals(401, send("POST", "/api/v1/alerts", null, valid).statusCode());
        assertEquals(401, send("POST", "/api/v1/alerts", "wrong", valid).statusCode());
        assertEquals(405, send("GET", "/api/v1/alerts", TOKEN, null).statusCode());
        HttpResponse<String> ok = send("POST", "/api/v1/alerts", TOKEN, valid);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(1, JSON.readTree(ok.body()).get("unmapped").asInt(), "an alert naming no resource is counted, not hidden");

        Map<String, String> bad = Map.of(
                "", "empty body",
                "{not json", "not JSON",
                "[]", "expected a JSON object",
                "{\"version\":\"3\",\"status\":\"firing\",\"alerts\":[]}", "version",
                "{\"status\":\"burning\",\"alerts\":[]}", "status",
                "{\"status\":\"firing\"}", "alerts: expected an array",
                valid.replace("\"labels\":{\"alertname\":\"Watchdog\"}", "\"labels\":{}"), "alertname: required",
                valid.replace("2026-01-01T00:00:00Z", "yesterday"), "startsAt: not an RFC 3339 time",
                valid.replace("a1b2c3", ""), "fingerprint",
                valid.replace("\"status\":\"firing\",\n \"labels\"", "\"status\":\"maybe\",\n \"labels\""), "alerts[0].status");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            HttpResponse<String> r = send("POST", "/api/v1/alerts", TOKEN, e.getKey());
            assertEquals(400, r.statusCode(), e.getKey() + " -> " + r.body());
            assertTrue(r.body().contains(e.getValue()), e.getKey() + " -> " + r.body());
        }
        assertEquals(0, responder.alertIntake().queued() + responder.alertIntake().firing().size());
    }

    @Test
    void badPrometheusSettingsAreConfigurationErrorsEvenWithoutAUrl() {
        List<String> problems = ResponderConfig.load(null, null, Map.of(), Map.of("prometheus.labels.pod", "bad-label",
                "prometheus.alerts.queue_capacity", "0", "prometheus.quey_timeout", "5s")).problems();
        String all = String.join("\n", problems);
        assertTrue(all.contains("prometheus.labels.pod: not a Prometheus label name"), all);
        assertTrue(all.contains("prometheus.alerts.queue_capacity: must be within"), all);
        assertTrue(all.contains("prometheus.quey_timeout: unknown key"), all);
    }
}

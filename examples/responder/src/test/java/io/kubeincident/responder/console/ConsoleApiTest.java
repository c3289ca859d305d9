package io.kubeincident.responder.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubeincident.responder.FixturesAccess;
import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.responder.run.Responder;
import io.kubeincident.testkit.Await;
import io.kubeincident.testkit.server.KubeServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's HTTP side without a browser: the event stream carries a new incident, the number of open
 * streams is capped, and bad requests get clear errors.
 */
class ConsoleApiTest {
    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension();

    private static final String TOKEN = "console-api-token";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> started = new ArrayList<>();
    private final ExecutorService readers = Executors.newCachedThreadPool();

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : started) c.close();
        readers.shutdownNow();
    }

    private Responder responder() throws Exception {
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, "monitoring:\n  scan_interval: 1\nresponder_test:\n  fixed_analyzer: true\n  confidence: 0.7\n");
        Map<String, String> overrides = Map.of("runtime.namespace", "kube-incident", "audit.file", "");
        ResponderConfig cfg = ResponderConfig.load(f, null, Map.of(), overrides).validated();
        Responder r = new Responder(new Responder.Settings("kube-incident", "responder", "api-test", false, "127.0.0.1", 0,
                TOKEN, Duration.ofHours(1), List.of(), () -> cfg), cfg, kube.apiClient());
        started.add(r);
        return r;
    }

    private HttpRequest.Builder request(Responder r, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.httpPort() + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN);
    }

    private HttpResponse<String> get(Responder r, String path) throws Exception {
        return http.send(request(r, path).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theEventStreamCarriesANewIncidentAndTheApiAnswersIt() throws Exception {
        Responder r = responder();
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + r.httpPort() + "/api/v1/console/events"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        assertEquals("text/event-stream; charset=utf-8", stream.headers().firstValue("Content-Type").orElse(""));
        BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        Future<String> incidentEvent = readers.submit(() -> {
            String line;
            boolean incident = false;
            for (int i = 0; i < 10_000 && (line = lines.readLine()) != null; i++) {
                if (line.equals("event: incident")) incident = true;
                else if (incident && line.startsWith("data: ")) return line.substring(6);
            }
            return null;
        });
        String pod = FixturesAccess.crashLoopingDeployment(kube.apiClient(), "shop", "web");
        JsonNode event = new ObjectMapper().readTree(incidentEvent.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals("crash-loop", event.get("type").asText());
        assertEquals("Deployment/shop/web", event.at("/root/key").asText());
        stream.body().close();

        String id = event.get("id").asText();
        JsonNode detail = Await.value(WAIT, () -> {
            try {
                JsonNode d = new ObjectMapper().readTree(get(r, "/api/v1/console/incidents/" + id).body());
                return d.has("evidence") ? java.util.Optional.of(d) : java.util.Optional.empty();
            } catch (Exception e) {
                return java.util.Optional.empty();
            }
        }, "the analyzed incident");
        assertEquals("app-crash", detail.at("/diagnosis/category").asText());
        assertEquals("Pod/shop/" + pod, detail.at("/evidence/ownerChain/0/key").asText());
        assertEquals("approval", detail.at("/plan/0/decision").asText());
        JsonNode approvals = new ObjectMapper().readTree(get(r, "/api/v1/console/approvals").body());
        assertEquals("pending", approvals.at("/pending/0/status").asText());
        assertTrue(approvals.at("/pending/0/expiresAt").asText().endsWith("Z"), approvals.toString());
        JsonNode status = new ObjectMapper().readTree(get(r, "/api/v1/console/status").body());
        assertEquals("auto", status.get("mode").asText());
        assertTrue(status.get("caches").toString().contains("\"kind\":\"Pod\""), status.toString());
        JsonNode audit = new ObjectMapper().readTree(get(r, "/api/v1/console/audit?q=" + id + "&limit=5").body());
        assertTrue(audit.get("records").size() >= 1 && audit.get("records").size() <= 5, audit.toString());
        audit.get("records").forEach(a -> assertEquals(id, a.get("incidentId").asText()));
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        Responder r = responder();
        HttpResponse<String> unknown = get(r, "/api/v1/console/incidents/no-such-incident");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("no incident no-such-incident"), unknown.body());
        assertEquals(404, get(r, "/api/v1/console/incidents/" + "x".repeat(200)).statusCode());
        assertEquals(404, get(r, "/api/v1/console/nothing").statusCode());
        HttpResponse<String> limit = get(r, "/api/v1/console/audit?limit=lots");
        assertEquals(400, limit.statusCode());
        assertTrue(limit.body().contains("limit must be a number"), limit.body());
        assertEquals(200, get(r, "/api/v1/console/audit?q=%25zz&limit=0").statusCode(), "limit 0 is clamped to 1");
        HttpResponse<String> post = http.send(request(r, "/api/v1/console/incidents")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET", post.headers().firstValue("Allow").orElse(""));
        assertEquals(405, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.httpPort() + "/console/"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void openStreamsAreCapped() throws Exception {
        Responder r = responder();
        List<HttpResponse<InputStream>> open = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            HttpResponse<InputStream> s = http.send(request(r, "/api/v1/console/events").timeout(Duration.ofMinutes(1)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, s.statusCode());
            open.add(s);
        }
        HttpResponse<String> refused = get(r, "/api/v1/console/events");
        assertEquals(503, refused.statusCode());
        assertTrue(refused.body().contains("too many open event streams"), refused.body());
        assertEquals(200, get(r, "/api/v1/console/status").statusCode(), "other requests are still served");
        for (HttpResponse<InputStream> s : open) s.body().close();
    }
}

package io.kubeincident.core.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.Decision;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.api.Verdict;
import io.kubeincident.core.action.Sleeper;
import io.kubeincident.core.config.MapConfig;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebhookNotifierTest {
    private static final Instant NOW = Instant.parse("2026-01-20T10:30:00Z");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static WireMockServer wm;

    @BeforeAll
    static void start() {
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
    }

    @AfterAll
    static void stop() {
        wm.stop();
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
    }

    private final ResourceRef deployment = ResourceRef.of("Deployment", "default", "web");
    private final Incident incident = new Incident("crash-loop-7", "crash-loop:Deployment/default/web", "crash-loop",
            Severity.HIGH, deployment, null,
            List.of(new Finding("crash-loop", "crash-loop", Severity.HIGH, deployment, "crashing", Map.of(), NOW)),
            IncidentState.OPEN, NOW, NOW);

    private PlannedAction secretPatch() {
        ProposedAction p = new ProposedAction(ActionTypes.PATCH_SECRET, ResourceRef.of("Secret", "default", "db"),
                Map.of("data", Map.of("password", "hunter2-very-secret")), 0.7,
                "rotate the password; token=abcd1234efgh in the old config");
        return new PlannedAction(p, Verdict.allow(), Decision.APPROVAL, List.of("confidence 0.70 needs approval"));
    }

    private WebhookNotifier notifier(WebhookNotifier.Format format, Set<String> events) {
        OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();
        return new WebhookNotifier(URI.create(wm.baseUrl() + "/hook"), format, http, events, 3, Duration.ZERO, Sleeper.NONE);
    }

    private JsonNode onlyBody() throws Exception {
        var requests = wm.findAll(postRequestedFor(urlEqualTo("/hook")));
        assertEquals(1, requests.size());
        return MAPPER.readTree(requests.get(0).getBodyAsString());
    }

    @Test
    void slackApprovalRequestNamesTheActionButNeverItsParameters() throws Exception {
        wm.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200).withBody("ok")));
        WebhookNotifier n = notifier(WebhookNotifier.Format.SLACK, NotifierConfig.DEFAULT_EVENTS);
        assertTrue(n.send(Notification.approvalRequested(incident, secretPatch(), "appr-1")));
        JsonNode body = onlyBody();
        String text = body.get("text").asText();
        assertTrue(text.contains("Approval needed") && text.contains("appr-1") && text.contains("patch-secret"), text);
        assertFalse(body.toString().contains("hunter2"), "secret values never leave the process");
        assertFalse(body.toString().contains("abcd1234efgh"), "free text is redacted");
    }

    @Test
    void genericJsonCarriesTheAuditFields() throws Exception {
        wm.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(204)));
        WebhookNotifier n = notifier(WebhookNotifier.Format.JSON, NotifierConfig.DEFAULT_EVENTS);
        assertTrue(n.send(Notification.actionExecuted(incident, secretPatch(), ActionResult.applied("set keys [password]"))));
        JsonNode body = onlyBody();
        assertEquals("action-executed", body.get("event").asText());
        assertEquals("crash-loop-7", body.get("incident_id").asText());
        assertEquals("Secret/default/db", body.get("target").asText());
        assertEquals("applied", body.get("result").asText());
        assertEquals(0.7, body.get("confidence").asDouble());
        assertFalse(body.has("parameters"));
        assertFalse(body.toString().contains("hunter2"));
    }

    @Test
    void serverErrorsAreRetriedABoundedNumberOfTimes() {
        wm.stubFor(post(urlEqualTo("/hook")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("second"));
        wm.stubFor(post(urlEqualTo("/hook")).inScenario("flaky").whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(502)).willSetStateTo("third"));
        wm.stubFor(post(urlEqualTo("/hook")).inScenario("flaky").whenScenarioStateIs("third")
                .willReturn(aResponse().withStatus(200)));
        WebhookNotifier n = notifier(WebhookNotifier.Format.JSON, NotifierConfig.DEFAULT_EVENTS);
        assertTrue(n.send(Notification.escalated(incident, "retry budget spent")));
        wm.verify(3, postRequestedFor(urlEqualTo("/hook")));

        wm.resetAll();
        wm.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(500)));
        assertFalse(n.send(Notification.escalated(incident, "x")));
        wm.verify(3, postRequestedFor(urlEqualTo("/hook")));
        assertEquals(1, n.failed());
    }

    @Test
    void aRefusedMessageIsNotRetried() {
        wm.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(400).withBody("invalid_payload")));
        WebhookNotifier n = notifier(WebhookNotifier.Format.SLACK, NotifierConfig.DEFAULT_EVENTS);
        assertFalse(n.send(Notification.resolved(incident)));
        wm.verify(1, postRequestedFor(urlEqualTo("/hook")));
    }

    @Test
    void anUnreachableEndpointFailsAfterItsAttemptsWithoutThrowing() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(2)).build();
        WebhookNotifier n = new WebhookNotifier(URI.create("http://127.0.0.1:" + port + "/hook"), WebhookNotifier.Format.JSON,
                http, NotifierConfig.DEFAULT_EVENTS, 2, Duration.ZERO, Sleeper.NONE);
        assertFalse(n.send(Notification.resolved(incident)));
        assertEquals(1, n.failed());
    }

    @Test
    void listenerCallbacksQueueOnlyTheWantedEvents() {
        wm.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        WebhookNotifier n = notifier(WebhookNotifier.Format.JSON, Set.of("escalated"));
        n.onIncidentOpened(incident);
        n.onIncidentResolved(incident);
        n.onIncidentEscalated(incident, "worse after rollback; undone");
        n.close(Duration.ofSeconds(5));
        wm.verify(1, postRequestedFor(urlEqualTo("/hook")).withRequestBody(WireMock.containing("\"event\":\"escalated\"")));
        assertEquals(1, n.sent());
    }

    @Test
    void configurationIsValidatedAndSlackUrlsAreRecognised() {
        var slack = NotifierConfig.from(new MapConfig(Map.of("alerting.webhook_url", "https://hooks.slack.com/services/T/B/X")));
        assertTrue(slack.enabled());
        assertEquals("hooks.slack.com", slack.slackWebhookUrl().getHost());
        assertEquals(null, slack.webhookUrl());
        assertTrue(Notifiers.fromConfig(new MapConfig(Map.of())).isEmpty(), "off without a URL");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NotifierConfig.from(new MapConfig(Map.of(
                "alerting.webhook_url", "ftp://secret-token@example.org/x", "alerting.attempts", "0",
                "alerting.events", "resolved,exploded"))));
        assertTrue(e.getMessage().contains("alerting.webhook_url") && e.getMessage().contains("alerting.attempts")
                && e.getMessage().contains("exploded"), e.getMessage());
        assertFalse(e.getMessage().contains("secret-token"), "a URL may hold a token: never repeated");
    }
}

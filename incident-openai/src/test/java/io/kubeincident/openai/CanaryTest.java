package io.kubeincident.openai;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.EventSummary;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.LogExcerpt;
import io.kubeincident.api.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.kubeincident.openai.Checks.contains;
import static io.kubeincident.openai.Checks.lacks;
import static io.kubeincident.openai.Fixtures.NOW;
import static io.kubeincident.openai.Fixtures.POD_1;
import static io.kubeincident.openai.Fixtures.completion;
import static io.kubeincident.openai.Fixtures.llm;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Secrets planted in every part of the evidence (logs, events, knowledge, facts, finding messages and
 * facts) must not be in the exact bytes the server receives; the text around them must be, so the test
 * would notice if the evidence were simply dropped.
 */
class CanaryTest {

    @RegisterExtension
    static WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    static final List<String> CANARIES = List.of(
            "CanaryPass-1a2b3c", "CANARYTOKENabcdef123456", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.Q2FuYXJ5U2ln",
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7CANARY", "CanaryDbPw9", "AKIACANARY1234567890",
            "sk-proj-CANARYcanary0123456789", "CanaryEventTok-77", "CanaryKnowledgePw", "CanaryFactKey12345",
            "CanaryFindingTok", "CanaryFindingFact99", "ghp_CANARYabcdefghijklmnopqrstuv012345",
            "xoxb-123456789012-CANARYslack", "CanaryJsonSecret");

    @Test
    void noPlantedSecretReachesTheWire() {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(completion(Fixtures.answer(0.5, List.of())))));

        List<String> logLines = List.of(
                "INFO starting with DB_PASSWORD=CanaryPass-1a2b3c",
                "DEBUG outgoing request Authorization: Bearer CANARYTOKENabcdef123456",
                "DEBUG session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.Q2FuYXJ5U2ln accepted",
                "WARN loaded key:",
                "-----BEGIN PRIVATE KEY-----",
                "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7CANARY",
                "-----END PRIVATE KEY-----",
                "ERROR cannot connect to postgres://app:CanaryDbPw9@db.default.svc:5432/app: connection refused",
                "DEBUG aws access key AKIACANARY1234567890 in use",
                "DEBUG llm client uses sk-proj-CANARYcanary0123456789",
                "DEBUG github ghp_CANARYabcdefghijklmnopqrstuv012345 slack xoxb-123456789012-CANARYslack",
                "DEBUG config {\"client_secret\": \"CanaryJsonSecret\", \"region\": \"eu-west-1\"}",
                "FATAL giving up");
        Evidence evidence = new Evidence(
                List.of(new EventSummary("Warning", "Failed", "Failed to pull image \"registry.local/web:2\": "
                        + "unauthorized: token=CanaryEventTok-77", 3, NOW, NOW, POD_1)),
                List.of(new LogExcerpt(POD_1, "app", true, logLines, false)),
                List.of(), List.of(),
                Map.of("apiKey", "CanaryFactKey12345", "minutesSinceRollout", "15"),
                List.of("runbook: connect to the admin console with password: CanaryKnowledgePw"));
        Incident base = Fixtures.crashLoop();
        Finding finding = new Finding("crash-loop", IncidentTypes.CRASH_LOOP, Severity.HIGH, POD_1,
                "container app exited 1 with env SECRET_TOKEN=CanaryFindingTok",
                Map.of("exitCode", "1", "db_password", "CanaryFindingFact99"), NOW);
        Incident incident = new Incident(base.id(), base.fingerprint(), base.type(), base.severity(),
                base.rootResource(), base.resources(), List.of(finding), base.state(), base.openedAt(), base.updatedAt());

        try (OpenAiAnalyzer a = Fixtures.analyzer(llm("http://127.0.0.1:" + wm.getPort() + "/v1"))) {
            Checks.diagnosed(a.analyze(new AnalysisRequest(incident, evidence, Fixtures.actions())));
        }

        var requests = wm.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")));
        assertEquals(1, requests.size());
        String body = requests.get(0).getBodyAsString();
        lacks(body, CANARIES.toArray(String[]::new));
        // the evidence itself did go out
        contains(body, "cannot connect to postgres://app:[REDACTED]@db.default.svc:5432/app: connection refused",
                "Failed to pull image", "FATAL giving up", "admin console", "\\\"region\\\": \\\"eu-west-1\\\"",
                "[REDACTED PRIVATE KEY]", "exitCode=1", "minutesSinceRollout: 15");
        // the API key travels in the header only
        lacks(body, "sk-test-0123456789abcdefghij");
        assertEquals("Bearer sk-test-0123456789abcdefghij", requests.get(0).getHeader("Authorization"));
    }

    @Test
    void theApiKeyIsNeverInTheConfigurationsTextOrInFailureDetails() {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody(Fixtures.openAiError("Incorrect API key provided: sk-test-0123456789abcdefghij.",
                        "invalid_request_error", "invalid_api_key"))));

        OpenAiConfig config = Fixtures.config(llm("http://127.0.0.1:" + wm.getPort() + "/v1"));
        lacks(config.toString(), "sk-test-0123456789abcdefghij");
        lacks(String.valueOf(config.apiKey()), "sk-test-0123456789abcdefghij");
        try (OpenAiAnalyzer a = Fixtures.analyzer(llm("http://127.0.0.1:" + wm.getPort() + "/v1"))) {
            var f = Checks.failed(a.analyze(Fixtures.crashRequest()));
            // even when the server echoes it back
            lacks(f.toString(), "sk-test-0123456789abcdefghij");
            contains(f.reason(), "Incorrect API key provided");
        }
    }
}

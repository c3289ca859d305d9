package io.kubeincident.openai;

import io.kubeincident.testkit.MutableClock;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.kubeincident.spi.OutcomeHistory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.kubeincident.openai.Checks.contains;
import static io.kubeincident.openai.Checks.declined;
import static io.kubeincident.openai.Checks.diagnosed;
import static io.kubeincident.openai.Checks.failed;
import static io.kubeincident.openai.Fixtures.completion;
import static io.kubeincident.openai.Fixtures.crashRequest;
import static io.kubeincident.openai.Fixtures.goodAnswer;
import static io.kubeincident.openai.Fixtures.llm;
import static io.kubeincident.openai.Fixtures.openAiError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rate limits, quota, server error storms, hangs and dead endpoints: bounded, honest, then the rules answer. */
class ResilienceTest {

    private static final String PATH = "/v1/chat/completions";

    @RegisterExtension
    static WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    private String base() {
        return "http://127.0.0.1:" + wm.getPort() + "/v1";
    }

    /** An analyzer whose waits between retries are recorded, not slept. */
    private OpenAiAnalyzer analyzer(Map<String, String> values, Clock clock) {
        OpenAiConfig c = Fixtures.config(values);
        ChatCompletionClient client = new ChatCompletionClient(c, ChatCompletionClient.defaultHttp(c), sleeps::add, clock);
        return new OpenAiAnalyzer(c, client, clock, OutcomeHistory.none());
    }

    private OpenAiAnalyzer analyzer(Map<String, String> values) {
        return analyzer(values, Clock.fixed(Fixtures.NOW, ZoneOffset.UTC));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder ok() {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(completion(goodAnswer()));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder rateLimited() {
        return aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                .withBody(openAiError("Rate limit reached for gpt-4o-mini in organization org-42 on tokens per min "
                        + "(TPM): Limit 200000, Used 199000, Requested 1500. Please try again in 450ms.",
                        "tokens", "rate_limit_exceeded"));
    }

    private void firstThen(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder first,
                           com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder then) {
        wm.stubFor(post(urlEqualTo(PATH)).inScenario("s").whenScenarioStateIs(STARTED).willReturn(first)
                .willSetStateTo("second"));
        wm.stubFor(post(urlEqualTo(PATH)).inScenario("s").whenScenarioStateIs("second").willReturn(then));
    }

    @Test
    void rateLimitHonoursRetryAfterMs() {
        firstThen(rateLimited().withHeader("retry-after-ms", "30").withHeader("retry-after", "1"), ok());

        try (OpenAiAnalyzer a = analyzer(llm(base()))) {
            var d = diagnosed(a.analyze(crashRequest()));

            assertEquals("2", d.attributes().get("llm.attempts"));
            assertEquals(List.of(Duration.ofMillis(30)), sleeps, "retry-after-ms wins over retry-after");
            wm.verify(2, postRequestedFor(urlEqualTo(PATH)));
        }
    }

    @Test
    void retryAfterSecondsIsCappedAtRetryMaxDelay() {
        firstThen(rateLimited().withHeader("retry-after", "120"), ok());

        try (OpenAiAnalyzer a = analyzer(llm(base(), "llm.retry_max_delay", "75ms"))) {
            diagnosed(a.analyze(crashRequest()));

            assertEquals(List.of(Duration.ofMillis(75)), sleeps);
        }
    }

    @Test
    void retryAfterAsHttpDate() {
        String in2s = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(Fixtures.NOW.plusSeconds(2), ZoneOffset.UTC));
        firstThen(rateLimited().withHeader("retry-after", in2s), ok());

        try (OpenAiAnalyzer a = analyzer(llm(base(), "llm.retry_max_delay", "5s"))) {
            diagnosed(a.analyze(crashRequest()));

            assertEquals(List.of(Duration.ofSeconds(2)), sleeps);
        }
    }

    @Test
    void retryThatWouldOutliveTheDeadlineIsNotAttempted() {
        wm.stubFor(post(urlEqualTo(PATH)).willReturn(rateLimited().withHeader("retry-after", "30")));

        try (OpenAiAnalyzer a = analyzer(llm(base(), "llm.retry_max_delay", "60s", "llm.analysis_timeout", "2s"))) {
            var f = failed(a.analyze(crashRequest()));

            contains(f.reason(), "HTTP 429", "rate_limit_exceeded");
            assertTrue(sleeps.isEmpty(), "no wait that could not end in time: " + sleeps);
            wm.verify(1, postRequestedFor(urlEqualTo(PATH)));
        }
    }

    @Test
    void insufficientQuotaIsNotRetriedAndOpensTheCircuit() {
        wm.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(429)
                .withHeader("Content-Type", "application/json").withHeader("retry-after", "1")
                .withBody(openAiError("You exceeded your current quota, please check your plan and billing details.",
                        "insufficient_quota", "insufficient_quota"))));

        try (OpenAiAnalyzer a = analyzer(llm(base()))) {
            var f = failed(a.analyze(crashRequest()));
            contains(f.reason(), "insufficient quota, not retried", "check your plan and billing");
            wm.verify(1, postRequestedFor(urlEqualTo(PATH)));
            assertTrue(sleeps.isEmpty());

            // the next incident goes straight to the rules
            var d = declined(a.analyze(crashRequest()));
            contains(d.reason(), "circuit open", "insufficient_quota");
            wm.verify(1, postRequestedFor(urlEqualTo(PATH)));
            assertEquals("open", a.stats().circuit());
        }
    }

    @Test
    void serverErrorStormIsBoundedThenTheCircuitOpensAndLaterRecovers() {
        wm.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json")
                .withBody(openAiError("The server had an error while processing your request. Sorry about that!",
                        "server_error", null))));
        MutableClock clock = new MutableClock(Fixtures.NOW);

        try (OpenAiAnalyzer a = analyzer(llm(base(), "llm.max_retries", "2", "llm.circuit_breaker.failure_threshold", "3",
                "llm.circuit_breaker.open_duration", "60s"), clock)) {
            for (int i = 0; i < 3; i++) {
                var f = failed(a.analyze(crashRequest()));
                contains(f.reason(), "HTTP 500", "server_error", "after 3 attempts");
            }
            wm.verify(9, postRequestedFor(urlEqualTo(PATH)));

            // open: no request at all, the rules answer at once
            contains(declined(a.analyze(crashRequest())).reason(), "circuit open after 3 consecutive failures");
            wm.verify(9, postRequestedFor(urlEqualTo(PATH)));

            // after the open period one trial goes out; it succeeds and closes the circuit
            wm.resetAll();
            wm.stubFor(post(urlEqualTo(PATH)).willReturn(ok()));
            clock.advance(Duration.ofSeconds(61));
            diagnosed(a.analyze(crashRequest()));
            assertEquals("closed", a.stats().circuit());
            wm.verify(1, postRequestedFor(urlEqualTo(PATH)));
        }
    }

    @Test
    void failedTrialReopensTheCircuit() {
        wm.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(503).withBody("upstream connect error")));
        MutableClock clock = new MutableClock(Fixtures.NOW);

        try (OpenAiAnalyzer a = analyzer(llm(base(), "llm.max_retries", "0", "llm.circuit_breaker.failure_threshold", "1"), clock)) {
            contains(failed(a.analyze(crashRequest())).reason(), "HTTP 503", "upstream connect error");
            declined(a.analyze(crashRequest()));
            clock.advance(Duration.ofSeconds(61));
            failed(a.analyze(crashRequest()));
            declined(a.analyze(crashRequest()));
            wm.verify(2, postRequestedFor(urlEqualTo(PATH)));
        }
    }

    @Test
    void shouldRetryHeaderFalseStopsRetries() {
        wm.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(500).withHeader("x-should-retry", "false")
                .withHeader("Content-Type", "application/json").withBody(openAiError("fatal", "server_error", null))));

        try (OpenAiAnalyzer a = analyzer(llm(base()))) {
            failed(a.analyze(crashRequest()));
            wm.verify(1, postRequestedFor(urlEqualTo(PATH)));
        }
    }

    @Test
    void backoffWithoutServerHintGrows() {
        wm.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(502).withBody("<html>Bad Gateway</html>")));

        try (OpenAiAnalyzer a = analyzer(llm(base(), "llm.max_retries", "2", "llm.retry_backoff", "20ms",
                "llm.retry_max_delay", "1s"))) {
            contains(failed(a.analyze(crashRequest())).reason(), "HTTP 502", "Bad Gateway");
            assertEquals(2, sleeps.size());
            assertTrue(sleeps.get(1).compareTo(sleeps.get(0)) > 0, "exponential: " + sleeps);
            assertTrue(sleeps.get(1).toMillis() <= 40, "base 20ms doubled, jittered down only: " + sleeps);
        }
    }

    @Test
    void hangPastTheAnalysisTimeoutFails() {
        wm.stubFor(post(urlEqualTo(PATH)).willReturn(ok().withFixedDelay(5_000)));

        try (OpenAiAnalyzer a = analyzer(llm(base(), "llm.analysis_timeout", "400ms", "llm.read_timeout", "30s"))) {
            var f = failed(a.analyze(crashRequest()));

            contains(f.reason(), "timed out");
            wm.verify(1, postRequestedFor(urlEqualTo(PATH)));
        }
    }

    @Test
    void readTimeoutWithinTheDeadlineIsRetried() {
        firstThen(ok().withFixedDelay(3_000), ok());

        try (OpenAiAnalyzer a = analyzer(llm(base(), "llm.read_timeout", "300ms", "llm.analysis_timeout", "10s"))) {
            var d = diagnosed(a.analyze(crashRequest()));

            assertEquals("2", d.attributes().get("llm.attempts"));
        }
    }

    @Test
    void deadEndpointFailsAsNetworkError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (OpenAiAnalyzer a = analyzer(llm("http://127.0.0.1:" + port + "/v1", "llm.max_retries", "1"))) {
            var f = failed(a.analyze(crashRequest()));

            contains(f.reason(), "network error", "after 2 attempts");
        }
    }
}

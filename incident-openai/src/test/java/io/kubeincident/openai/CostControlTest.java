package io.kubeincident.openai;

import io.kubeincident.testkit.MutableClock;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Incident;
import io.kubeincident.api.OutcomeRecord;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.OutcomeHistory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.kubeincident.openai.Checks.contains;
import static io.kubeincident.openai.Checks.declined;
import static io.kubeincident.openai.Checks.diagnosed;
import static io.kubeincident.openai.Checks.entry;
import static io.kubeincident.openai.Fixtures.DEPLOYMENT;
import static io.kubeincident.openai.Fixtures.POD_1;
import static io.kubeincident.openai.Fixtures.action;
import static io.kubeincident.openai.Fixtures.answer;
import static io.kubeincident.openai.Fixtures.completion;
import static io.kubeincident.openai.Fixtures.crashLoop;
import static io.kubeincident.openai.Fixtures.crashRequest;
import static io.kubeincident.openai.Fixtures.goodAnswer;
import static io.kubeincident.openai.Fixtures.llm;
import static io.kubeincident.openai.Fixtures.withId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Token budgets, the analysis cache, bounded concurrency and the usage record. */
class CostControlTest {

    private static final String PATH = "/v1/chat/completions";

    @RegisterExtension
    static WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private String base() {
        return "http://127.0.0.1:" + wm.getPort() + "/v1";
    }

    private OpenAiAnalyzer analyzer(Map<String, String> values, Clock clock, OutcomeHistory history) {
        return new OpenAiAnalyzer(Fixtures.config(values), clock, history);
    }

    private void modelAnswers(String content, int promptTokens, int completionTokens) {
        wm.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(completion(content, null, "stop", promptTokens, completionTokens, 0))));
    }

    private static AnalysisRequest request(String incidentId) {
        return new AnalysisRequest(withId(crashLoop(), incidentId), Fixtures.crashEvidence(), Fixtures.actions());
    }

    @Test
    void perIncidentBudgetSendsTheIncidentToTheRules() {
        modelAnswers(goodAnswer(), 30_000, 1_000);
        try (OpenAiAnalyzer a = analyzer(llm(base(), "llm.cache_ttl", "0", "llm.token_budget.per_incident", "20000"),
                Clock.fixed(Fixtures.NOW, java.time.ZoneOffset.UTC), OutcomeHistory.none())) {
            diagnosed(a.analyze(request("inc-a")));

            var d = declined(a.analyze(request("inc-a")));
            contains(d.reason(), "token budget per incident exhausted", "used 31000 of 20000", "llm.token_budget.per_incident");
            wm.verify(1, postRequestedFor(urlEqualTo(PATH)));

            // another incident has its own budget
            diagnosed(a.analyze(request("inc-b")));
            wm.verify(2, postRequestedFor(urlEqualTo(PATH)));
        }
    }

    @Test
    void dailyBudgetResetsTheNextUtcDay() {
        modelAnswers(goodAnswer(), 40_000, 1_000);
        MutableClock clock = new MutableClock(Instant.parse("2025-06-01T23:50:00Z"));
        try (OpenAiAnalyzer a = analyzer(llm(base(), "llm.cache_ttl", "0", "llm.token_budget.per_incident", "0",
                "llm.token_budget.per_day", "84000"), clock, OutcomeHistory.none())) {
            diagnosed(a.analyze(request("inc-1")));
            diagnosed(a.analyze(request("inc-2")));
            contains(declined(a.analyze(request("inc-3"))).reason(), "daily token budget exhausted", "used 82000 of 84000");
            assertEquals(82_000, a.stats().tokensToday());

            clock.advance(Duration.ofMinutes(15));
            diagnosed(a.analyze(request("inc-3")));
            wm.verify(3, postRequestedFor(urlEqualTo(PATH)));
            assertEquals(41_000, a.stats().tokensToday());
        }
    }

    @Test
    void aReopenedIncidentIsServedFromTheCacheUntilTheTtlEnds() {
        modelAnswers(goodAnswer(), 1_200, 150);
        MutableClock clock = new MutableClock(Fixtures.NOW);
        try (OpenAiAnalyzer a = analyzer(llm(base(), "llm.cache_ttl", "10m"), clock, OutcomeHistory.none())) {
            var first = diagnosed(a.analyze(request("inc-1")));
            entry(first.attributes(), "llm.cache", "miss");

            // same fingerprint, new occurrence
            var again = diagnosed(a.analyze(request("inc-2")));
            entry(again.attributes(), "llm.cache", "hit");
            entry(again.attributes(), "llm.total_tokens", "0");
            assertEquals(first.actions(), again.actions());
            assertEquals(first.attributes().get("llm.prompt_version"), again.attributes().get("llm.prompt_version"));
            wm.verify(1, postRequestedFor(urlEqualTo(PATH)));

            clock.advance(Duration.ofMinutes(11));
            entry(diagnosed(a.analyze(request("inc-3"))).attributes(), "llm.cache", "miss");
            wm.verify(2, postRequestedFor(urlEqualTo(PATH)));
            assertEquals(1, a.stats().cacheHits());
        }
    }

    @Test
    void aDifferentPromptVersionIsNotServedFromTheCache() {
        modelAnswers(goodAnswer(), 1_200, 150);
        try (OpenAiAnalyzer a = analyzer(llm(base()), Clock.fixed(Fixtures.NOW, java.time.ZoneOffset.UTC), OutcomeHistory.none())) {
            var first = diagnosed(a.analyze(crashRequest()));
            // the catalog changed (an action was removed): the schema and so the prompt version differ
            AnalysisRequest fewerActions = new AnalysisRequest(crashLoop(), Fixtures.crashEvidence(),
                    Fixtures.actions().subList(0, 4));
            var second = diagnosed(a.analyze(fewerActions));

            entry(second.attributes(), "llm.cache", "miss");
            assertTrue(!first.attributes().get("llm.prompt_version").equals(second.attributes().get("llm.prompt_version")));
            wm.verify(2, postRequestedFor(urlEqualTo(PATH)));
        }
    }

    @Test
    void cachedActionsOnObjectsThatAreGoneAreDropped() {
        modelAnswers(answer(0.8, List.of(action("restart-pod", POD_1, Map.of(), 0.7),
                action("rollout-restart", DEPLOYMENT, Map.of(), 0.6))), 1_000, 100);
        try (OpenAiAnalyzer a = analyzer(llm(base()), Clock.fixed(Fixtures.NOW, java.time.ZoneOffset.UTC), OutcomeHistory.none())) {
            assertEquals(2, diagnosed(a.analyze(crashRequest())).actions().size());

            // the pod was replaced since: the incident no longer involves it
            Incident i = crashLoop();
            ResourceRef newPod = new ResourceRef("Pod", "default", "web-7c9d8-zzzzz", "uid-p9");
            Incident now = new Incident("inc-2", i.fingerprint(), i.type(), i.severity(), i.rootResource(),
                    List.of(DEPLOYMENT, Fixtures.REPLICA_SET, newPod), i.findings(), i.state(), i.openedAt(), i.updatedAt());
            var cached = diagnosed(a.analyze(new AnalysisRequest(now, Fixtures.crashEvidence(), Fixtures.actions())));

            entry(cached.attributes(), "llm.cache", "hit");
            entry(cached.attributes(), "llm.cache_dropped_actions", "1");
            assertEquals(1, cached.actions().size());
            assertEquals("rollout-restart", cached.actions().get(0).actionType());
        }
    }

    @Test
    void aNewOutcomeForTheWorkloadMeansAFreshAnalysisThatSeesIt() {
        modelAnswers(goodAnswer(), 1_000, 100);
        ListHistory history = new ListHistory();
        try (OpenAiAnalyzer a = analyzer(llm(base()), Clock.fixed(Fixtures.NOW, java.time.ZoneOffset.UTC), history)) {
            diagnosed(a.analyze(crashRequest()));
            for (int i = 0; i < 3; i++) {
                history.record(new OutcomeRecord("crash-loop", "crash-on-start", "restart-pod", DEPLOYMENT,
                        OutcomeRecord.Outcome.NOT_IMPROVED, Fixtures.NOW.minusSeconds(300 - i)));
            }
            entry(diagnosed(a.analyze(crashRequest())).attributes(), "llm.cache", "miss");

            var requests = wm.findAll(postRequestedFor(urlEqualTo(PATH)));
            assertEquals(2, requests.size());
            Checks.lacks(requests.get(0).getBodyAsString(), "Outcome history");
            contains(requests.get(1).getBodyAsString(), "## Outcome history of earlier actions",
                    "restart-pod on Deployment/default/web: 3 times (3 not improved)",
                    "all workloads, crash-loop, restart-pod: 3 times (3 not improved)");
        }
    }

    @Test
    void concurrencyIsBoundedAndTheOverflowIsDeclinedAtOnce() throws Exception {
        wm.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(completion(goodAnswer())).withFixedDelay(1_500)));
        try (OpenAiAnalyzer a = analyzer(llm(base(), "llm.max_concurrency", "1", "llm.cache_ttl", "0"),
                Clock.fixed(Fixtures.NOW, java.time.ZoneOffset.UTC), OutcomeHistory.none())) {
            CompletableFuture<AnalysisOutcome> first = CompletableFuture.supplyAsync(() -> a.analyze(request("inc-1")));
            awaitRequests(1);

            contains(declined(a.analyze(request("inc-2"))).reason(), "1 analyses already running", "llm.max_concurrency");
            diagnosed(first.get(20, TimeUnit.SECONDS));
            wm.verify(1, postRequestedFor(urlEqualTo(PATH)));
            assertEquals(1, a.stats().declined());
        }
    }

    @Test
    void statsCountWhatHappened() {
        modelAnswers(goodAnswer(), 1_234, 156);
        try (OpenAiAnalyzer a = analyzer(llm(base(), "llm.cache_ttl", "0"), Clock.fixed(Fixtures.NOW, java.time.ZoneOffset.UTC),
                OutcomeHistory.none())) {
            diagnosed(a.analyze(crashRequest()));
            diagnosed(a.analyze(crashRequest()));
            OpenAiStats s = a.stats();
            assertEquals(2, s.analyses());
            assertEquals(2, s.diagnosed());
            assertEquals(2 * 1_234, s.promptTokens());
            assertEquals(2 * 156, s.completionTokens());
            assertEquals("closed", s.circuit());
        }
    }

    /** Polls the stub until it has seen {@code n} requests; bounded in time. */
    private static void awaitRequests(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (wm.findAll(postRequestedFor(urlEqualTo(PATH))).size() < n) {
            if (System.nanoTime() > deadline) throw new AssertionError("the stub did not see " + n + " request(s) in 10s");
            Thread.sleep(20);
        }
    }

    /** An in-memory outcome history, newest first. */
    static final class ListHistory implements OutcomeHistory {
        private final List<OutcomeRecord> records = new CopyOnWriteArrayList<>();

        public void record(OutcomeRecord outcome) {
            records.add(0, outcome);
        }

        public List<OutcomeRecord> find(String incidentType, String actionType) {
            List<OutcomeRecord> out = new ArrayList<>();
            for (OutcomeRecord r : records) {
                if (r.incidentType().equals(incidentType) && r.actionType().equals(actionType)) out.add(r);
            }
            return out;
        }

        public List<OutcomeRecord> forResource(ResourceRef root) {
            List<OutcomeRecord> out = new ArrayList<>();
            for (OutcomeRecord r : records) if (r.rootResource().sameTarget(root)) out.add(r);
            return out;
        }
    }
}

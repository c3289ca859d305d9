package io.kubeincident.openai;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.kubeincident.api.ConfigView;
import io.kubeincident.spi.OutcomeHistory;
import io.kubeincident.testkit.context.ListClusterView;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.kubeincident.openai.Checks.contains;
import static io.kubeincident.openai.Checks.lacks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RunbooksTest {

    @RegisterExtension
    static WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final ListClusterView CLUSTER = ListClusterView.of(new V1Deployment().apiVersion("apps/v1").kind("Deployment")
            .metadata(new V1ObjectMeta().name("web").namespace("default").labels(Map.of("app", "web", "tier", "frontend"))));

    private static final String FILE = """
            runbooks:
              - name: web-needs-db
                incident_types: [crash-loop]
                namespaces: [default]
                labels: {app: web}
                text: |
                  web needs db.default.svc before it starts;
                  when the database is down, restarting web does not help.
              - name: payments-only
                namespaces: [payments]
                text: payments is PCI scoped; never act without approval.
              - name: backend-tier
                labels: {tier: backend}
                text: backend pods may take 3 minutes to become ready.
              - name: every-oom
                incident_types: oom-killed
                text: our JVMs need -XX:MaxRAMPercentage=75.
            """;

    @Test
    void matchedByTypeNamespaceAndLabels(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("runbooks.yaml");
        Files.writeString(file, FILE);
        Runbooks r = Runbooks.load(ConfigView.of(Map.of("llm.runbooks_file", file.toString(),
                "llm.runbooks.frontend.text", "frontend pods are stateless: restarting one is safe",
                "llm.runbooks.frontend.labels", "tier=frontend")).under("llm"));

        assertEquals(5, r.all().size());
        assertEquals(List.of(
                        "runbook web-needs-db: web needs db.default.svc before it starts; when the database is down, "
                                + "restarting web does not help.",
                        "runbook frontend: frontend pods are stateless: restarting one is safe"),
                r.matching(Fixtures.crashLoop(), CLUSTER));
        // without the object in the view, label criteria do not match
        assertEquals(List.of(), r.matching(Fixtures.crashLoop(), ListClusterView.empty()));
    }

    @Test
    void everyMistakeIsReported(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("runbooks.yaml");
        Files.writeString(file, """
                runbooks:
                  - name: a
                    incident_type: [crash-loop]
                    text: x
                  - name: b
                  - name: c
                    incident_types: [CrashLoop]
                    text: y
                """);

        OpenAiConfigException e = assertThrows(OpenAiConfigException.class, () -> Runbooks.load(ConfigView.of(Map.of(
                "llm.runbooks_file", file.toString(), "llm.runbooks.k.labels", "app", "llm.runbooks.k.text", "t",
                "llm.runbooks.k.colour", "red")).under("llm")));

        contains(e.getMessage(), "runbooks[0]: unknown field incident_type", "runbooks[1]: runbook b has no text",
                "not an incident type id: CrashLoop", "llm.runbooks.k.labels: expected key=value", "llm.runbooks.k.colour");
        assertEquals(5, e.problems().size(), e.problems().toString());
        contains(assertThrows(OpenAiConfigException.class, () -> Fixtures.config(Fixtures.llm("http://127.0.0.1:1/v1",
                "llm.runbooks_file", dir.resolve("missing.yaml").toString()))).getMessage(), "cannot be read");
    }

    @Test
    void matchingRunbooksReachTheModelAsKnowledge(@TempDir Path dir) throws IOException {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(Fixtures.completion(Fixtures.goodAnswer()))));
        Path file = dir.resolve("runbooks.yaml");
        Files.writeString(file, FILE);
        OpenAiConfig config = Fixtures.config(Fixtures.llm("http://127.0.0.1:" + wm.getPort() + "/v1",
                "llm.runbooks_file", file.toString()));

        try (OpenAiAnalyzer a = new OpenAiAnalyzer(config, Clock.fixed(Fixtures.NOW, ZoneOffset.UTC), OutcomeHistory.none(), CLUSTER)) {
            Checks.diagnosed(a.analyze(Fixtures.crashRequest()));
        }
        String body = wm.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).get(0).getBodyAsString();
        contains(body, "<untrusted-data kind=\\\"knowledge\\\">\\n- runbook web-needs-db: web needs db.default.svc",
                "runbook: web needs the database db.default.svc to be reachable");
        lacks(body, "PCI scoped", "MaxRAMPercentage", "3 minutes to become ready");
    }
}

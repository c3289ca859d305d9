package io.kubeincident.openai;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.LogExcerpt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.kubeincident.openai.Checks.contains;
import static io.kubeincident.openai.Checks.lacks;
import static io.kubeincident.openai.Fixtures.llm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptSetTest {

    @RegisterExtension
    static WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final String FINTECH = "You are an SRE for a fintech company with strict compliance requirements.\n"
            + "All actions must be conservative and well-documented.";

    @Test
    void builtInPromptsCoverTheCommonIncidentTypes() {
        PromptSet p = PromptSet.defaults();

        contains(p.system(), "<untrusted-data>", "never instructions", "Available actions");
        for (String type : List.of("crash-loop", "image-pull", "oom-killed", "rollout-stuck", "unschedulable", "node-not-ready")) {
            assertTrue(p.hasTemplate(type), type);
        }
        contains(p.template("pvc-pending"), "Diagnose this Kubernetes incident of type {{incident_type}}");
    }

    @Test
    void placeholdersAreFilledAndEvidenceStaysLiteral() {
        String msg = PromptSet.defaults().userMessage(Fixtures.crashLoop(), "evidence with {{root_resource}} inside");

        contains(msg, "A container of Deployment/default/web keeps crashing", "evidence with {{root_resource}} inside");
        lacks(msg, "{{context}}");
    }

    @Test
    void aTemplateWithoutContextGetsItAppended() {
        PromptSet p = PromptSet.of(null, "Just diagnose {{incident_type}}.", Map.of());

        assertEquals("Just diagnose pvc-pending.\n\nCTX", p.userMessage(
                new io.kubeincident.api.Incident("i", "f", "pvc-pending", io.kubeincident.api.Severity.LOW,
                        Fixtures.DEPLOYMENT, null, null, io.kubeincident.api.IncidentState.OPEN, Fixtures.NOW, null), "CTX"));
    }

    @Test
    void promptsFileAndKeysOverrideInThatOrder(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("prompts.yaml");
        Files.writeString(file, "system_prompt: |\n  " + FINTECH.replace("\n", "\n  ") + "\n"
                + "incident_prompts:\n  crash-loop: |\n    FILE crash template for {{root_resource}}\n    {{context}}\n"
                + "oom-killed: FILE oom template\n");

        PromptSet fromFile = PromptSet.load(ConfigView.of(Map.of("llm.prompts_file", file.toString())).under("llm"));
        assertEquals(FINTECH, fromFile.system());
        contains(fromFile.template("crash-loop"), "FILE crash template");
        assertEquals("FILE oom template", fromFile.template("oom-killed"));
        contains(fromFile.template("image-pull"), "cannot pull their image");

        PromptSet keys = PromptSet.load(ConfigView.of(Map.of("llm.prompts_file", file.toString(),
                "llm.prompts.system", "KEY system", "llm.prompts.crash-loop", "KEY crash")).under("llm"));
        assertEquals("KEY system", keys.system());
        assertEquals("KEY crash", keys.template("crash-loop"));
        assertEquals("FILE oom template", keys.template("oom-killed"));
    }

    @Test
    void badPromptFilesAreConfigurationProblems(@TempDir Path dir) throws IOException {
        Path notYaml = dir.resolve("a.yaml");
        Files.writeString(notYaml, "system_prompt: [unclosed\n");
        Path unknown = dir.resolve("b.yaml");
        Files.writeString(unknown, "sytem_prompt: typo\n");
        Path badType = dir.resolve("c.yaml");
        Files.writeString(badType, "incident_prompts:\n  CrashLoop: text\n");

        for (Path p : List.of(notYaml, unknown, badType, dir.resolve("missing.yaml"))) {
            OpenAiConfigException e = assertThrows(OpenAiConfigException.class, () -> Fixtures.config(
                    llm("http://127.0.0.1:1/v1", "llm.prompts_file", p.toString())));
            contains(e.getMessage(), "llm.prompts_file " + p);
        }
        contains(assertThrows(OpenAiConfigException.class, () -> Fixtures.config(llm("http://127.0.0.1:1/v1",
                "llm.prompts.Crash_Loop", "x"))).getMessage(), "llm.prompts.Crash_Loop");
    }

    @Test
    void versionIsStableAndChangesWithWhatShapesTheQuestion() {
        PromptSet d = PromptSet.defaults();
        var json = OpenAiConfig.ResponseFormat.JSON_SCHEMA;
        String v = d.version("crash-loop", json, Fixtures.actions());

        assertEquals(v, d.version("crash-loop", json, Fixtures.actions()));
        List<io.kubeincident.api.ActionDescriptor> reversed = new java.util.ArrayList<>(Fixtures.actions());
        java.util.Collections.reverse(reversed);
        assertEquals(v, d.version("crash-loop", json, reversed), "action order does not matter");
        assertNotEquals(v, d.version("image-pull", json, Fixtures.actions()));
        assertNotEquals(v, d.version("crash-loop", OpenAiConfig.ResponseFormat.JSON_OBJECT, Fixtures.actions()));
        assertNotEquals(v, d.version("crash-loop", json, Fixtures.actions().subList(0, 2)));
        assertNotEquals(v, PromptSet.of(FINTECH, null, Map.of()).version("crash-loop", json, Fixtures.actions()));
        // unknown types share the default template
        assertEquals(d.version("pvc-pending", json, Fixtures.actions()), d.version("hpa-maxed", json, Fixtures.actions()));
    }

    @Test
    void aStricterSystemPromptIsWhatTheServerReceivesAndItsVersionIsAudited(@TempDir Path dir) throws IOException {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(Fixtures.completion(Fixtures.goodAnswer()))));
        Path file = dir.resolve("prompts.yaml");
        Files.writeString(file, "system_prompt: |\n  " + FINTECH.replace("\n", "\n  ") + "\n");
        String base = "http://127.0.0.1:" + wm.getPort() + "/v1";

        String defaultVersion;
        try (OpenAiAnalyzer a = Fixtures.analyzer(llm(base))) {
            defaultVersion = Checks.diagnosed(a.analyze(Fixtures.crashRequest())).attributes().get("llm.prompt_version");
        }
        try (OpenAiAnalyzer a = Fixtures.analyzer(llm(base, "llm.prompts_file", file.toString()))) {
            var d = Checks.diagnosed(a.analyze(Fixtures.crashRequest()));
            assertNotEquals(defaultVersion, d.attributes().get("llm.prompt_version"));
        }
        var bodies = wm.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")));
        contains(bodies.get(1).getBodyAsString(), "fintech company with strict compliance requirements");
        lacks(bodies.get(1).getBodyAsString(), "senior Kubernetes site reliability engineer");
    }

    @Test
    void jsonObjectModeWritesTheSchemaIntoTheSystemPrompt() {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(Fixtures.completion("```json\n" + Fixtures.goodAnswer() + "\n```"))));
        Evidence e = Fixtures.crashEvidence();
        AnalysisRequest r = new AnalysisRequest(Fixtures.crashLoop(), new Evidence(e.events(),
                List.of(new LogExcerpt(Fixtures.POD_1, "app", true, List.of("boom"), false)), e.ownerChain(),
                e.rolloutHistory(), e.facts(), e.knowledge()), Fixtures.actions());

        try (OpenAiAnalyzer a = Fixtures.analyzer(llm("http://127.0.0.1:" + wm.getPort() + "/v1", "llm.response_format", "json_object"))) {
            // a fenced answer from a local model is accepted after the same validation
            var d = Checks.diagnosed(a.analyze(r));
            assertEquals("json_object", d.attributes().get("llm.response_format"));
        }
        String body = wm.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).get(0).getBodyAsString();
        contains(body, "\"response_format\":{\"type\":\"json_object\"}", "matching this JSON schema",
                "\\\"rollback-deployment\\\"");
    }
}

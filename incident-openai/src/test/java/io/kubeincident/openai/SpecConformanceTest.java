package io.kubeincident.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.kubeincident.api.AnalysisRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.kubeincident.openai.Fixtures.llm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The request bodies the analyzer really sends (captured by the stub) validate against the OpenAI spec's
 * {@code CreateChatCompletionRequest}; the stub's own answers validate against
 * {@code CreateChatCompletionResponse} and {@code ErrorResponse}, so the other tests parse real shapes.
 * The spec is a copy in the repository's test resources ({@code specs/openai-openapi.yaml}, origin beside it).
 */
class SpecConformanceTest {

    /** On the test class path: the spec copied into the repository (origin in specs/README.md beside it). */
    static final String SPEC = "/specs/openai-openapi.yaml";

    @RegisterExtension
    static WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static JsonNode spec;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void loadSpec() throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(64 * 1024 * 1024);
        ObjectMapper yaml = new ObjectMapper(YAMLFactory.builder().loaderOptions(options).build());
        try (var in = SpecConformanceTest.class.getResourceAsStream(SPEC)) {
            assertNotNull(in, "the OpenAI spec is missing from the test class path: " + SPEC);
            spec = yaml.readTree(in);
        }
        assertTrue(spec.path("components").path("schemas").has("CreateChatCompletionRequest"), "spec has the request schema");
    }

    /** The whole spec as a schema document whose root refers to one component, so its $refs resolve. */
    private static JsonSchema component(String name) {
        return COMPONENTS.computeIfAbsent(name, n -> {
            ObjectNode doc = spec.deepCopy();
            doc.put("$ref", "#/components/schemas/" + n);
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(doc);
        });
    }

    private static final Map<String, JsonSchema> COMPONENTS = new java.util.concurrent.ConcurrentHashMap<>();

    private static void assertValid(JsonSchema schema, JsonNode instance, String what) {
        Set<ValidationMessage> errors = schema.validate(instance);
        assertTrue(errors.isEmpty(), () -> what + " does not match the spec: " + errors + "\n" + instance);
    }

    private List<JsonNode> sentBodies(Map<String, String> config, AnalysisRequest request) throws IOException {
        wm.resetRequests();
        wm.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(Fixtures.completion(Fixtures.goodAnswer()))));
        try (OpenAiAnalyzer a = Fixtures.analyzer(config)) {
            a.analyze(request);
        }
        List<JsonNode> bodies = new ArrayList<>();
        for (var r : wm.findAll(postRequestedFor(anyUrl()))) bodies.add(JSON.readTree(r.getBodyAsString()));
        assertEquals(1, bodies.size());
        return bodies;
    }

    @Test
    void requestsOfEveryModeAndFlavourMatchCreateChatCompletionRequest() throws IOException {
        JsonSchema request = component("CreateChatCompletionRequest");
        String base = "http://127.0.0.1:" + wm.getPort();
        List<Map<String, String>> configs = List.of(
                llm(base + "/v1"),
                llm(base + "/v1", "llm.response_format", "json_object"),
                llm(base + "/v1", "llm.temperature", "none", "llm.max_actions", "1"),
                llm(base, "llm.provider", "azure", "llm.azure.deployment", "gpt4o-prod"),
                llm(base, "llm.provider", "azure", "llm.model", "gpt-4.1-mini"),
                llm(base, "llm.provider", "ollama", "llm.api_key", null, "llm.model", "llama3.1:8b"),
                llm(base, "llm.provider", "vllm", "llm.api_key", null, "llm.model", "Qwen/Qwen2.5-7B-Instruct"));
        int checked = 0;
        for (Map<String, String> c : configs) {
            for (JsonNode body : sentBodies(c, Fixtures.crashRequest())) {
                assertValid(request, body, c.getOrDefault("llm.provider", "openai") + " " + c.getOrDefault("llm.response_format", ""));
                checked++;
            }
        }
        // an incident no available action can target: the schema allows no action
        AnalysisRequest noActions = new AnalysisRequest(Fixtures.crashLoop(), Fixtures.crashEvidence(), List.of());
        for (JsonNode body : sentBodies(llm(base + "/v1"), noActions)) {
            assertValid(request, body, "no actions");
            assertEquals(0, body.at("/response_format/json_schema/schema/properties/actions/maxItems").asInt(-1));
            checked++;
        }
        assertEquals(configs.size() + 1, checked);
    }

    @Test
    void theSpecSchemaCatchesAMalformedRequest() {
        // guards the test itself: a validator that accepts anything would make the test above worthless
        ObjectNode bad = JSON.createObjectNode();
        bad.put("model", "gpt-4o-mini");
        bad.putArray("messages").addObject().put("role", "wizard").put("content", "hi");
        bad.putObject("response_format").put("type", "yaml");
        assertFalse(component("CreateChatCompletionRequest").validate(bad).isEmpty());
    }

    @Test
    void stubAnswersMatchTheResponseAndErrorSchemas() throws IOException {
        assertValid(component("CreateChatCompletionResponse"), JSON.readTree(Fixtures.completion(Fixtures.goodAnswer())),
                "completion stub");
        assertValid(component("CreateChatCompletionResponse"),
                JSON.readTree(Fixtures.completion(null, "I can't help with that.", "stop")), "refusal stub");
        assertValid(component("ErrorResponse"), JSON.readTree(Fixtures.openAiError("Rate limit reached", "tokens",
                "rate_limit_exceeded")), "error stub");
        assertValid(component("ErrorResponse"), JSON.readTree(Fixtures.openAiError("quota", "insufficient_quota",
                "insufficient_quota")), "quota error stub");
    }
}

package io.kubeincident.openai;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.kubeincident.openai.Fixtures.answer;
import static io.kubeincident.openai.Fixtures.analyzer;
import static io.kubeincident.openai.Fixtures.completion;
import static io.kubeincident.openai.Fixtures.crashRequest;
import static io.kubeincident.openai.Fixtures.goodAnswer;
import static io.kubeincident.openai.Fixtures.json;
import static io.kubeincident.openai.Fixtures.llm;
import static io.kubeincident.openai.Checks.contains;
import static io.kubeincident.openai.Checks.diagnosed;
import static io.kubeincident.openai.Checks.entry;
import static io.kubeincident.openai.Checks.failed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each endpoint flavour on a loopback stub that answers with that server's real shapes: path, auth header,
 * query, success body and error body.
 */
class EndpointFlavoursTest {

    @RegisterExtension
    static WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private String root() {
        return "http://127.0.0.1:" + wm.getPort();
    }

    // ---- OpenAI ------------------------------------------------------------------------------------

    @Test
    void openAiUsesBearerKeyOrganizationProjectAndV1Path() {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer sk-test-0123456789abcdefghij"))
                .withHeader("OpenAI-Organization", equalTo("org-42"))
                .withHeader("OpenAI-Project", equalTo("proj_7"))
                .withHeader("Content-Type", containing("application/json"))
                .withRequestBody(matchingJsonPath("$.response_format.type", equalTo("json_schema")))
                .withRequestBody(matchingJsonPath("$.response_format.json_schema.strict", equalTo("true")))
                .withRequestBody(matchingJsonPath("$.max_completion_tokens"))
                .willReturn(okJson(completion(goodAnswer()))));

        try (OpenAiAnalyzer a = analyzer(llm(root() + "/v1", "llm.organization", "org-42", "llm.project", "proj_7"))) {
            var d = diagnosed(a.analyze(crashRequest()));

            assertEquals("openai", d.analyzerId());
            assertEquals("bad-rollout", d.category());
            assertEquals(1, d.actions().size());
            assertEquals("rollback-deployment", d.actions().get(0).actionType());
            assertEquals(Fixtures.DEPLOYMENT, d.actions().get(0).target());
            assertEquals(3, d.actions().get(0).parameters().get("toRevision"));
            entry(d.attributes(), "llm.prompt_tokens", "1234");
            entry(d.attributes(), "llm.completion_tokens", "156");
            entry(d.attributes(), "llm.cached_tokens", "1024");
            entry(d.attributes(), "llm.total_tokens", "1390");
            entry(d.attributes(), "llm.model", "gpt-4o-mini-2024-07-18");
            entry(d.attributes(), "llm.provider", "openai");
            entry(d.attributes(), "llm.cache", "miss");
            assertTrue(d.attributes().get("llm.prompt_version").matches("p[0-9a-f]{12}"), d.attributes().toString());
        }
    }

    @Test
    void openAiAuthenticationErrorIsAFailureWithTheServersMessage() {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody(Fixtures.openAiError("Incorrect API key provided: sk-test-****ghij. You can find your API "
                        + "key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"))));

        try (OpenAiAnalyzer a = analyzer(llm(root() + "/v1"))) {
            var f = failed(a.analyze(crashRequest()));

            contains(f.reason(), "HTTP 401", "invalid_api_key", "Incorrect API key");
            entry(f.details(), "llm.http_status", "401");
            entry(f.details(), "llm.error_code", "invalid_api_key");
            wm.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));
        }
    }

    // ---- Azure OpenAI ------------------------------------------------------------------------------

    @Test
    void azureDeploymentPathUsesApiKeyHeaderAndApiVersion() {
        wm.stubFor(post(urlPathEqualTo("/openai/deployments/gpt4o-prod/chat/completions"))
                .withQueryParam("api-version", equalTo("2024-10-21"))
                .withHeader("api-key", equalTo("azure-key-123"))
                .withHeader("Authorization", absent())
                .willReturn(okJson(azureCompletion(goodAnswer()))));

        Map<String, String> cfg = llm(root(), "llm.provider", "azure", "llm.api_key", "azure-key-123",
                "llm.azure.deployment", "gpt4o-prod");
        try (OpenAiAnalyzer a = analyzer(cfg)) {
            diagnosed(a.analyze(crashRequest()));
            LoggedRequest sent = wm.findAll(postRequestedFor(urlPathEqualTo("/openai/deployments/gpt4o-prod/chat/completions"))).get(0);
            contains(sent.getBodyAsString(), "\"model\":\"gpt4o-prod\"");
        }
    }

    @Test
    void azureV1PathTakesTheModelInTheBody() {
        wm.stubFor(post(urlEqualTo("/openai/v1/chat/completions"))
                .withHeader("api-key", equalTo("azure-key-123"))
                .withRequestBody(matchingJsonPath("$.model", equalTo("gpt-4.1-mini")))
                .willReturn(okJson(azureCompletion(goodAnswer()))));

        Map<String, String> cfg = llm(root(), "llm.provider", "azure", "llm.api_key", "azure-key-123",
                "llm.model", "gpt-4.1-mini");
        try (OpenAiAnalyzer a = analyzer(cfg)) {
            diagnosed(a.analyze(crashRequest()));
            wm.verify(1, postRequestedFor(urlEqualTo("/openai/v1/chat/completions")));
        }
    }

    @Test
    void azureDeploymentNotFoundAndRateLimitShapes() {
        wm.stubFor(post(urlPathEqualTo("/openai/deployments/missing/chat/completions")).willReturn(aResponse()
                .withStatus(404).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API deployment for this "
                        + "resource does not exist. If you created the deployment within the last 5 minutes, please "
                        + "wait a moment and try again.\"}}")));

        Map<String, String> cfg = llm(root(), "llm.provider", "azure", "llm.api_key", "azure-key-123",
                "llm.azure.deployment", "missing");
        try (OpenAiAnalyzer a = analyzer(cfg)) {
            contains(failed(a.analyze(crashRequest())).reason(), "HTTP 404", "DeploymentNotFound");
            wm.verify(1, postRequestedFor(urlPathEqualTo("/openai/deployments/missing/chat/completions")));
        }
    }

    @Test
    void azurePromptContentFilterIsAFailureNotRetried() {
        wm.stubFor(post(urlPathEqualTo("/openai/deployments/gpt4o-prod/chat/completions")).willReturn(aResponse()
                .withStatus(400).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"The response was filtered due to the prompt triggering Azure "
                        + "OpenAI's content management policy.\",\"type\":null,\"param\":\"prompt\",\"code\":"
                        + "\"content_filter\",\"status\":400,\"innererror\":{\"code\":\"ResponsibleAIPolicyViolation\","
                        + "\"content_filter_result\":{\"jailbreak\":{\"filtered\":true,\"detected\":true}}}}}")));

        Map<String, String> cfg = llm(root(), "llm.provider", "azure", "llm.api_key", "azure-key-123",
                "llm.azure.deployment", "gpt4o-prod");
        try (OpenAiAnalyzer a = analyzer(cfg)) {
            entry(failed(a.analyze(crashRequest())).details(), "llm.error_code", "content_filter");
            wm.verify(1, postRequestedFor(urlPathEqualTo("/openai/deployments/gpt4o-prod/chat/completions")));
        }
    }

    // ---- Ollama ------------------------------------------------------------------------------------

    @Test
    void ollamaNeedsNoKeyAndReadsMaxTokens() {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", absent())
                .withRequestBody(matchingJsonPath("$.max_tokens"))
                .withRequestBody(matchingJsonPath("$.model", equalTo("llama3.1:8b")))
                .willReturn(okJson(ollamaCompletion(goodAnswer()))));

        // a bare server address: /v1 is added
        Map<String, String> cfg = llm(root(), "llm.provider", "ollama", "llm.api_key", null, "llm.model", "llama3.1:8b");
        try (OpenAiAnalyzer a = analyzer(cfg)) {
            var attrs = diagnosed(a.analyze(crashRequest())).attributes();
            entry(attrs, "llm.prompt_tokens", "900");
            entry(attrs, "llm.cached_tokens", "0");
            entry(attrs, "llm.provider", "ollama");
        }
    }

    @Test
    void ollamaModelNotFoundError() {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"model \\\"llama3.1:8b\\\" not found, try pulling it first\","
                        + "\"type\":\"not_found_error\",\"param\":null,\"code\":null}}")));

        Map<String, String> cfg = llm(root() + "/v1", "llm.provider", "ollama", "llm.api_key", null, "llm.model", "llama3.1:8b");
        try (OpenAiAnalyzer a = analyzer(cfg)) {
            var f = failed(a.analyze(crashRequest()));
            contains(f.reason(), "HTTP 404", "not found, try pulling it first");
            entry(f.details(), "llm.error_type", "not_found_error");
            assertFalse(f.details().containsKey("llm.error_code"), f.details().toString());
            wm.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));
        }
    }

    @Test
    void ollamaServerErrorIsRetriedThenFails() {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"llama runner process has terminated: signal: killed\","
                        + "\"type\":\"api_error\",\"param\":null,\"code\":null}}")));

        Map<String, String> cfg = llm(root() + "/v1", "llm.provider", "ollama", "llm.api_key", null,
                "llm.model", "llama3.1:8b", "llm.max_retries", "1");
        try (OpenAiAnalyzer a = analyzer(cfg)) {
            contains(failed(a.analyze(crashRequest())).reason(), "llama runner process has terminated");
            wm.verify(2, postRequestedFor(urlEqualTo("/v1/chat/completions")));
        }
    }

    // ---- vLLM --------------------------------------------------------------------------------------

    @Test
    void vllmAnswerShape() {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer vllm-token-abcdefgh"))
                .withRequestBody(matchingJsonPath("$.response_format.json_schema.schema.properties.actions"))
                .willReturn(okJson(vllmCompletion(goodAnswer()))));

        Map<String, String> cfg = llm(root() + "/v1", "llm.provider", "vllm", "llm.api_key", "vllm-token-abcdefgh",
                "llm.model", "Qwen/Qwen2.5-7B-Instruct");
        try (OpenAiAnalyzer a = analyzer(cfg)) {
            var attrs = diagnosed(a.analyze(crashRequest())).attributes();
            entry(attrs, "llm.model", "Qwen/Qwen2.5-7B-Instruct");
            entry(attrs, "llm.prompt_tokens", "1500");
        }
    }

    @Test
    void vllmTopLevelErrorObjectWithIntegerCode() {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"object\":\"error\",\"message\":\"This model's maximum context length is 8192 tokens. "
                        + "However, you requested 9500 tokens.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}")));

        Map<String, String> cfg = llm(root() + "/v1", "llm.provider", "vllm", "llm.api_key", null, "llm.model", "m");
        try (OpenAiAnalyzer a = analyzer(cfg)) {
            var f = failed(a.analyze(crashRequest()));
            contains(f.reason(), "maximum context length is 8192 tokens");
            entry(f.details(), "llm.error_code", "400");
            entry(f.details(), "llm.error_type", "BadRequestError");
            wm.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));
        }
    }

    @Test
    void vllmNestedErrorWithIntegerCode() {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"The model `gpt-4o` does not exist.\",\"type\":\"NotFoundError\","
                        + "\"param\":null,\"code\":404}}")));

        Map<String, String> cfg = llm(root() + "/v1", "llm.provider", "vllm", "llm.api_key", null, "llm.model", "gpt-4o");
        try (OpenAiAnalyzer a = analyzer(cfg)) {
            var f = failed(a.analyze(crashRequest()));
            contains(f.reason(), "does not exist");
            entry(f.details(), "llm.error_code", "404");
            entry(f.details(), "llm.error_type", "NotFoundError");
        }
    }

    // ---- LiteLLM (generic compatible) ------------------------------------------------------------

    @Test
    void liteLlmProxyWithMasterKeyAndStringStatusCode() {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer sk-litellm-master-key-123456"))
                .willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                        .withHeader("retry-after", "0")
                        .withBody("{\"error\":{\"message\":\"litellm.RateLimitError: RateLimitError: OpenAIException - "
                                + "Rate limit reached for requests\",\"type\":\"None\",\"param\":\"None\",\"code\":\"429\"}}")));

        Map<String, String> cfg = llm(root(), "llm.provider", "litellm", "llm.api_key", "sk-litellm-master-key-123456",
                "llm.model", "claude-via-proxy", "llm.max_retries", "2");
        try (OpenAiAnalyzer a = analyzer(cfg)) {
            var f = failed(a.analyze(crashRequest()));
            contains(f.reason(), "HTTP 429", "RateLimitError");
            entry(f.details(), "llm.error_code", "429");
            wm.verify(3, postRequestedFor(urlEqualTo("/v1/chat/completions")));
        }
    }

    @Test
    void compatibleServerMaySendContentParts() {
        String parts = json(Map.of("id", "x", "object", "chat.completion", "created", 1, "model", "m",
                "choices", List.of(Map.of("index", 0, "finish_reason", "stop", "message", Map.of("role", "assistant",
                        "content", List.of(Map.of("type", "text", "text", answer(0.7, List.of()))))))));
        wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(parts)));

        Map<String, String> cfg = llm(root(), "llm.provider", "compatible", "llm.api_key", null, "llm.model", "m");
        try (OpenAiAnalyzer a = analyzer(cfg)) {
            // no usage in the answer: estimated, and said so
            entry(diagnosed(a.analyze(crashRequest())).attributes(), "llm.usage_estimated", "true");
        }
    }

    @Test
    void serverWithoutJsonSchemaIsAskedWithJsonObjectFromThenOn() {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.response_format.type", equalTo("json_schema")))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody(Fixtures.openAiError("Invalid parameter: 'response_format' of type 'json_schema' is not "
                                + "supported with this model.", "invalid_request_error", null))));
        wm.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.response_format.type", equalTo("json_object")))
                .willReturn(okJson(completion(goodAnswer()))));

        Map<String, String> cfg = llm(root(), "llm.provider", "compatible", "llm.model", "older-model", "llm.cache_ttl", "0");
        try (OpenAiAnalyzer a = analyzer(cfg)) {
            var first = diagnosed(a.analyze(crashRequest()));
            entry(first.attributes(), "llm.response_format", "json_object");
            entry(first.attributes(), "llm.response_format_fallback", "json_schema rejected by the server");
            wm.verify(2, postRequestedFor(urlEqualTo("/v1/chat/completions")));

            var second = diagnosed(a.analyze(crashRequest()));
            entry(second.attributes(), "llm.response_format", "json_object");
            wm.verify(3, postRequestedFor(urlEqualTo("/v1/chat/completions")));
            contains(wm.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).get(2).getBodyAsString(),
                    "matching this JSON schema");
        }
    }

    // ---- shapes -----------------------------------------------------------------------------------

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder okJson(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    static String azureCompletion(String content) {
        return json(Map.of("id", "chatcmpl-AZ1", "object", "chat.completion", "created", 1741570283,
                "model", "gpt-4o-2024-11-20", "system_fingerprint", "fp_ee1d74bde0",
                "prompt_filter_results", List.of(Map.of("prompt_index", 0, "content_filter_results",
                        Map.of("hate", Map.of("filtered", false, "severity", "safe")))),
                "choices", List.of(Map.of("index", 0, "finish_reason", "stop", "logprobs", Map.of(),
                        "content_filter_results", Map.of("hate", Map.of("filtered", false, "severity", "safe")),
                        "message", Map.of("role", "assistant", "content", content))),
                "usage", Map.of("prompt_tokens", 1100, "completion_tokens", 120, "total_tokens", 1220,
                        "prompt_tokens_details", Map.of("cached_tokens", 0))));
    }

    static String ollamaCompletion(String content) {
        return json(Map.of("id", "chatcmpl-42", "object", "chat.completion", "created", 1741570283,
                "model", "llama3.1:8b", "system_fingerprint", "fp_ollama",
                "choices", List.of(Map.of("index", 0, "finish_reason", "stop",
                        "message", Map.of("role", "assistant", "content", content))),
                "usage", Map.of("prompt_tokens", 900, "completion_tokens", 140, "total_tokens", 1040)));
    }

    static String vllmCompletion(String content) {
        Map<String, Object> message = new java.util.LinkedHashMap<>();
        message.put("role", "assistant");
        message.put("reasoning_content", null);
        message.put("content", content);
        message.put("tool_calls", List.of());
        Map<String, Object> choice = new java.util.LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("message", message);
        choice.put("logprobs", null);
        choice.put("finish_reason", "stop");
        choice.put("stop_reason", null);
        Map<String, Object> usage = new java.util.LinkedHashMap<>();
        usage.put("prompt_tokens", 1500);
        usage.put("total_tokens", 1620);
        usage.put("completion_tokens", 120);
        usage.put("prompt_tokens_details", null);
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("id", "chatcmpl-9f8e7d");
        body.put("object", "chat.completion");
        body.put("created", 1741570283);
        body.put("model", "Qwen/Qwen2.5-7B-Instruct");
        body.put("choices", List.of(choice));
        body.put("usage", usage);
        body.put("prompt_logprobs", null);
        return json(body);
    }
}

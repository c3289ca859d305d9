package io.kubeincident.openai;

import io.kubeincident.api.ConfigView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import static io.kubeincident.openai.Checks.contains;
import static io.kubeincident.openai.Checks.lacks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenAiConfigTest {

    private static final Function<String, String> NO_ENV = name -> null;

    private static Function<String, String> env(String name, String value) {
        return n -> n.equals(name) ? value : null;
    }

    private static OpenAiConfig from(Map<String, String> values, Function<String, String> env) {
        return OpenAiConfig.from(ConfigView.of(values), env);
    }

    @Test
    void defaultsForOpenAiWithTheKeyFromTheEnvironment() {
        OpenAiConfig c = from(Map.of(), env("OPENAI_API_KEY", "sk-env-key-0123456789abcdef"));

        assertEquals(OpenAiConfig.Provider.OPENAI, c.provider());
        assertEquals(URI.create("https://api.openai.com/v1/chat/completions"), c.chatCompletionsUrl());
        assertEquals("gpt-4o-mini", c.model());
        assertEquals("env OPENAI_API_KEY", c.apiKey().source());
        assertEquals("sk-env-key-0123456789abcdef", c.apiKey().reveal());
        assertEquals(OpenAiConfig.ResponseFormat.JSON_SCHEMA, c.responseFormat());
        assertEquals(Duration.ofSeconds(25), c.analysisTimeout());
        assertEquals(Duration.ofSeconds(20), c.readTimeout());
        assertEquals(2, c.maxRetries());
        assertEquals(0.1, c.temperature());
        assertEquals(1200, c.maxCompletionTokens());
        assertEquals(6000, c.contextTokenBudget());
        assertEquals(20_000, c.tokenBudgetPerIncident());
        assertEquals(1_000_000, c.tokenBudgetPerDay());
        assertEquals(Duration.ofMinutes(30), c.cacheTtl());
        assertEquals(4, c.maxConcurrency());
        assertEquals("max_completion_tokens", c.maxTokensField());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Map<String, String> bad = new HashMap<>();
        bad.put("llm.provider", "olama");
        bad.put("llm.max_retries", "-1");
        bad.put("llm.temperature", "3");
        bad.put("llm.analysis_timeout", "soon");
        bad.put("llm.response_format", "yaml");
        bad.put("llm.max_concurrency", "0");
        bad.put("llm.token_budget.per_day", "lots");
        bad.put("llm.base_url", "ftp://example.com/v1");
        bad.put("llm.max_completion_tokens", "10");
        bad.put("llm.cache_ttl", "-5m");

        OpenAiConfigException e = assertThrows(OpenAiConfigException.class, () -> from(bad, NO_ENV));

        contains(e.getMessage(), "llm.provider must be one of", "olama", "llm.max_retries", "llm.temperature",
                "llm.analysis_timeout", "llm.response_format", "llm.max_concurrency", "llm.token_budget.per_day",
                "llm.base_url must be an http(s) URL", "llm.max_completion_tokens", "llm.cache_ttl", "no API key");
        assertTrue(e.problems().size() >= 11, e.problems().toString());
    }

    @Test
    void openAiWithoutAKeyIsAProblemNamingWhereToPutIt() {
        OpenAiConfigException e = assertThrows(OpenAiConfigException.class, () -> from(Map.of(), NO_ENV));

        contains(e.getMessage(), "no API key for provider openai", "llm.api_key_file", "OPENAI_API_KEY");
    }

    @Test
    void keyFromAMountedFileAndAnUnreadableFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("openai-key");
        Files.writeString(file, "sk-file-key-0123456789abcdef\n");
        OpenAiConfig c = from(Map.of("llm.api_key_file", file.toString()), NO_ENV);
        assertEquals("sk-file-key-0123456789abcdef", c.apiKey().reveal());
        assertEquals("file " + file, c.apiKey().source());

        OpenAiConfigException e = assertThrows(OpenAiConfigException.class,
                () -> from(Map.of("llm.api_key_file", dir.resolve("missing").toString()), NO_ENV));
        contains(e.getMessage(), "llm.api_key_file", "missing", "cannot be read");

        Path empty = dir.resolve("empty");
        Files.writeString(empty, "  \n");
        contains(assertThrows(OpenAiConfigException.class,
                () -> from(Map.of("llm.api_key_file", empty.toString()), NO_ENV)).getMessage(), "is empty");
    }

    @Test
    void customKeyVariableAndAzureDefault() {
        OpenAiConfig custom = from(Map.of("llm.api_key_env", "LLM_TOKEN"), env("LLM_TOKEN", "tok-0123456789"));
        assertEquals("env LLM_TOKEN", custom.apiKey().source());

        OpenAiConfig azure = from(Map.of("llm.provider", "azure", "llm.base_url", "https://res.openai.azure.com",
                "llm.azure.deployment", "gpt4o"), env("AZURE_OPENAI_API_KEY", "azure-0123456789"));
        assertEquals(URI.create("https://res.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21"),
                azure.chatCompletionsUrl());
        assertEquals("gpt4o", azure.model());
    }

    @Test
    void azureProblems() {
        OpenAiConfigException e = assertThrows(OpenAiConfigException.class, () -> from(Map.of("llm.provider", "azure",
                "llm.api_key", "k"), NO_ENV));
        contains(e.getMessage(), "llm.base_url is required for provider azure", "llm.model is required for provider azure");

        OpenAiConfig v1 = from(Map.of("llm.provider", "azure", "llm.api_key", "k", "llm.base_url",
                "https://res.openai.azure.com/openai/v1/", "llm.model", "gpt-4.1"), NO_ENV);
        assertEquals(URI.create("https://res.openai.azure.com/openai/v1/chat/completions"), v1.chatCompletionsUrl());

        contains(assertThrows(OpenAiConfigException.class, () -> from(Map.of("llm.azure.deployment", "x", "llm.api_key", "k"),
                NO_ENV)).getMessage(), "llm.azure.deployment is set but llm.provider is openai");
    }

    @Test
    void localServersNeedNoKeyButAModel() {
        OpenAiConfig ollama = from(Map.of("llm.provider", "ollama", "llm.model", "llama3.1:8b"), NO_ENV);
        assertEquals(URI.create("http://127.0.0.1:11434/v1/chat/completions"), ollama.chatCompletionsUrl());
        assertTrue(ollama.key().isEmpty());
        assertEquals("max_tokens", ollama.maxTokensField());

        OpenAiConfig vllm = from(Map.of("llm.provider", "vllm", "llm.model", "m", "llm.base_url", "http://vllm.ai.svc:8000"), NO_ENV);
        assertEquals(URI.create("http://vllm.ai.svc:8000/v1/chat/completions"), vllm.chatCompletionsUrl());

        contains(assertThrows(OpenAiConfigException.class, () -> from(Map.of("llm.provider", "ollama"), NO_ENV)).getMessage(),
                "llm.model is required for provider ollama");
        contains(assertThrows(OpenAiConfigException.class, () -> from(Map.of("llm.provider", "compatible", "llm.model", "m"),
                NO_ENV)).getMessage(), "llm.base_url is required for provider compatible");
    }

    @Test
    void temperatureNoneIsLeftOut() {
        OpenAiConfig c = from(Map.of("llm.api_key", "k", "llm.temperature", "none"), NO_ENV);
        assertNull(c.temperature());
    }

    @Test
    void theKeyNeverShowsInText() {
        OpenAiConfig c = from(Map.of("llm.api_key", "sk-direct-secret-0123456789"), NO_ENV);

        lacks(c.toString(), "sk-direct-secret-0123456789");
        lacks(c.apiKey().toString(), "sk-direct-secret-0123456789");
        contains(c.toString(), "key=from llm.api_key");
    }

    @Test
    void wantedOnlyWithAKeyOrAKeylessServer() {
        assertFalse(OpenAiConfig.wanted(ConfigView.empty(), NO_ENV), "no key: the rules answer alone");
        assertTrue(OpenAiConfig.wanted(ConfigView.empty(), env("OPENAI_API_KEY", "sk-x")));
        assertFalse(OpenAiConfig.wanted(ConfigView.of(Map.of("llm.enabled", "false")), env("OPENAI_API_KEY", "sk-x")));
        assertTrue(OpenAiConfig.wanted(ConfigView.of(Map.of("llm.provider", "ollama")), NO_ENV));
        assertTrue(OpenAiConfig.wanted(ConfigView.of(Map.of("llm.provider", "vllm")), NO_ENV));
        assertFalse(OpenAiConfig.wanted(ConfigView.of(Map.of("llm.provider", "compatible")), NO_ENV));
        assertTrue(OpenAiConfig.wanted(ConfigView.of(Map.of("llm.provider", "compatible", "llm.base_url", "http://litellm:4000")), NO_ENV));
        assertTrue(OpenAiConfig.wanted(ConfigView.of(Map.of("llm.api_key_file", "/var/run/secrets/openai")), NO_ENV));
        assertFalse(OpenAiConfig.wanted(ConfigView.of(Map.of("llm.provider", "azure")), env("OPENAI_API_KEY", "sk-x")),
                "azure reads AZURE_OPENAI_API_KEY");
        assertTrue(OpenAiConfig.wanted(ConfigView.of(Map.of("llm.provider", "gpt")), NO_ENV),
                "a misspelt provider is reported by create, not silently skipped");
    }
}

package io.kubeincident.openai;

import io.kubeincident.api.ConfigView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The configuration of the OpenAI analyzer, read from the {@code llm.*} keys. Every problem is reported
 * at once in one {@link OpenAiConfigException}. {@link #toString()} never shows the API key.
 *
 * <table>
 *   <caption>keys (all under {@code llm.})</caption>
 *   <tr><td>enabled</td><td>true</td><td>false turns the analyzer off whatever else is set</td></tr>
 *   <tr><td>provider</td><td>openai</td><td>openai, azure, compatible (alias litellm), ollama, vllm</td></tr>
 *   <tr><td>base_url</td><td>per provider</td><td>API root incl. {@code /v1}; for azure the resource endpoint</td></tr>
 *   <tr><td>model</td><td>gpt-4o-mini (openai)</td><td>required for compatible, ollama, vllm, azure v1</td></tr>
 *   <tr><td>api_key / api_key_file / api_key_env</td><td>env OPENAI_API_KEY (azure: AZURE_OPENAI_API_KEY)</td><td>first one set wins, in this order</td></tr>
 *   <tr><td>organization, project</td><td></td><td>OpenAI-Organization / OpenAI-Project headers</td></tr>
 *   <tr><td>azure.deployment, azure.api_version</td><td>-, 2024-10-21</td><td>deployment path; without a deployment the v1 path is used</td></tr>
 *   <tr><td>connect_timeout, read_timeout, analysis_timeout</td><td>5s, 20s, 25s</td><td>analysis_timeout bounds everything incl. retries; keep it below the engine's analysis.timeout</td></tr>
 *   <tr><td>max_retries, retry_backoff, retry_max_delay</td><td>2, 500ms, 8s</td><td>retry-after(-ms) honoured, capped at retry_max_delay</td></tr>
 *   <tr><td>circuit_breaker.failure_threshold, circuit_breaker.open_duration</td><td>3, 60s</td><td></td></tr>
 *   <tr><td>temperature</td><td>0.1</td><td>{@code none} omits it (reasoning models)</td></tr>
 *   <tr><td>max_completion_tokens</td><td>1200</td><td></td></tr>
 *   <tr><td>context_token_budget</td><td>6000</td><td>approximate tokens for the rendered evidence</td></tr>
 *   <tr><td>token_budget.per_incident, token_budget.per_day</td><td>20000, 1000000</td><td>0 = unlimited</td></tr>
 *   <tr><td>cache_ttl</td><td>30m</td><td>0 disables the cache</td></tr>
 *   <tr><td>max_concurrency</td><td>4</td><td>as the engine's analysis.concurrency, so that incidents analyzed at once do not fall back to the rules</td></tr>
 *   <tr><td>response_format</td><td>json_schema</td><td>json_schema (strict) or json_object (schema in the prompt)</td></tr>
 *   <tr><td>max_actions</td><td>3</td><td>actions per answer</td></tr>
 *   <tr><td>prompts_file, prompts.system, prompts.default, prompts.&lt;incident-type&gt;</td><td></td><td>prompt overrides</td></tr>
 *   <tr><td>runbooks_file, runbooks.&lt;name&gt;.text/incident_types/namespaces/labels</td><td></td><td>operator runbook snippets ({@link Runbooks})</td></tr>
 * </table>
 */
public record OpenAiConfig(boolean enabled, Provider provider, URI baseUrl, String model, ApiKey apiKey,
                           String organization, String project, String azureDeployment, String azureApiVersion,
                           Duration connectTimeout, Duration readTimeout, Duration analysisTimeout,
                           int maxRetries, Duration retryBackoff, Duration retryMaxDelay,
                           int circuitFailureThreshold, Duration circuitOpenDuration,
                           Double temperature, int maxCompletionTokens, int contextTokenBudget,
                           long tokenBudgetPerIncident, long tokenBudgetPerDay, Duration cacheTtl,
                           int maxConcurrency, ResponseFormat responseFormat, int maxActions, PromptSet prompts,
                           Runbooks runbooks) {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiConfig.class);

    public static final String PREFIX = "llm.";

    /** Every {@code llm.*} key with its kind, for the engine's check of the whole configuration. */
    public static final io.kubeincident.api.ConfigKeys CONFIG_KEYS = io.kubeincident.api.ConfigKeys.builder()
            .bool("llm.enabled")
            .under("llm", io.kubeincident.api.ConfigKeys.Type.TEXT, "provider", "base_url", "model", "api_key",
                    "api_key_file", "api_key_env", "organization", "project", "azure.deployment", "azure.api_version",
                    "temperature", "response_format", "prompts_file", "runbooks_file", "runbooks")
            .under("llm", io.kubeincident.api.ConfigKeys.Type.DURATION, "connect_timeout", "read_timeout",
                    "analysis_timeout", "retry_backoff", "retry_max_delay", "circuit_breaker.open_duration", "cache_ttl")
            .under("llm", io.kubeincident.api.ConfigKeys.Type.INTEGER, "max_retries", "circuit_breaker.failure_threshold",
                    "max_completion_tokens", "context_token_budget", "token_budget.per_incident", "token_budget.per_day",
                    "max_concurrency", "max_actions")
            .text("llm.prompts.*", "llm.runbooks.*.text")
            .list("llm.runbooks.*.incident_types", "llm.runbooks.*.namespaces", "llm.runbooks.*.labels")
            .build();

    /** Where the chat completions are served and how they authenticate. */
    public enum Provider {
        /** api.openai.com: {@code Authorization: Bearer}, optional organization/project headers. */
        OPENAI("openai", true),
        /** Azure OpenAI: {@code api-key} header, deployment path with {@code api-version}, or the v1 path. */
        AZURE("azure", true),
        /** Any OpenAI-compatible server (LiteLLM, ...): {@code /v1/chat/completions}, Bearer key if one is set. */
        COMPATIBLE("compatible", false),
        /** Ollama's OpenAI-compatible endpoint; no key needed. */
        OLLAMA("ollama", false),
        /** vLLM's OpenAI-compatible server; a key only if it was started with {@code --api-key}. */
        VLLM("vllm", false);

        private final String id;
        private final boolean keyRequired;

        Provider(String id, boolean keyRequired) {
            this.id = id;
            this.keyRequired = keyRequired;
        }

        public String id() {
            return id;
        }

        public boolean keyRequired() {
            return keyRequired;
        }

        static Optional<Provider> parse(String raw) {
            String s = raw.trim().toLowerCase(Locale.ROOT);
            if (s.equals("litellm") || s.equals("openai-compatible") || s.equals("openai_compatible")) {
                return Optional.of(COMPATIBLE);
            }
            if (s.equals("azure-openai") || s.equals("azure_openai")) return Optional.of(AZURE);
            for (Provider p : values()) if (p.id.equals(s)) return Optional.of(p);
            return Optional.empty();
        }
    }

    /** How the answer's shape is requested. */
    public enum ResponseFormat {
        /** {@code response_format: json_schema} with {@code strict: true}. */
        JSON_SCHEMA("json_schema"),
        /** {@code response_format: json_object}, with the schema written into the system prompt. */
        JSON_OBJECT("json_object");

        private final String id;

        ResponseFormat(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    public OpenAiConfig {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(prompts, "prompts");
        runbooks = runbooks == null ? Runbooks.none() : runbooks;
        Objects.requireNonNull(responseFormat, "responseFormat");
        List<String> problems = check(provider, baseUrl, model, apiKey, azureDeployment, azureApiVersion,
                connectTimeout, readTimeout, analysisTimeout, maxRetries, retryBackoff, retryMaxDelay,
                circuitFailureThreshold, circuitOpenDuration, temperature, maxCompletionTokens, contextTokenBudget,
                tokenBudgetPerIncident, tokenBudgetPerDay, cacheTtl, maxConcurrency, maxActions, enabled);
        if (!problems.isEmpty()) throw new OpenAiConfigException(problems);
        organization = blankToNull(organization);
        project = blankToNull(project);
    }

    /** Reads {@code llm.*} from {@code config}, taking the API key's environment variable from the process. */
    public static OpenAiConfig from(ConfigView config) {
        return from(config, System::getenv);
    }

    /**
     * Reads {@code llm.*} from {@code config}.
     *
     * @param env looks up environment variables (the process environment in production; a map in tests)
     * @throws OpenAiConfigException listing every problem found
     */
    public static OpenAiConfig from(ConfigView config, Function<String, String> env) {
        Reader r = new Reader(config.under("llm"));
        boolean enabled = r.bool("enabled", true);
        Provider provider = r.provider();
        URI baseUrl = r.baseUrl(provider);
        String deployment = blankToNull(r.string("azure.deployment", null));
        String apiVersion = r.string("azure.api_version", deployment != null ? "2024-10-21" : null);
        String model = r.string("model", defaultModel(provider, deployment));
        ApiKey key = r.apiKey(provider, env);
        Double temperature = r.temperature();
        PromptSet prompts;
        try {
            prompts = PromptSet.load(config.under("llm"));
        } catch (IllegalArgumentException e) {
            r.problems.add(e.getMessage());
            prompts = PromptSet.defaults();
        }
        Runbooks runbooks;
        try {
            runbooks = Runbooks.load(config.under("llm"));
        } catch (OpenAiConfigException e) {
            r.problems.addAll(e.problems());
            runbooks = Runbooks.none();
        }
        Duration connect = r.duration("connect_timeout", Duration.ofSeconds(5));
        Duration read = r.duration("read_timeout", Duration.ofSeconds(20));
        // below the engine's analysis.timeout (30s by default), so this analyzer reports its own failure
        Duration analysis = r.duration("analysis_timeout", Duration.ofSeconds(25));
        int maxRetries = r.integer("max_retries", 2);
        Duration backoff = r.duration("retry_backoff", Duration.ofMillis(500));
        Duration maxDelay = r.duration("retry_max_delay", Duration.ofSeconds(8));
        int threshold = r.integer("circuit_breaker.failure_threshold", 3);
        Duration open = r.duration("circuit_breaker.open_duration", Duration.ofSeconds(60));
        int maxCompletion = r.integer("max_completion_tokens", 1200);
        int contextBudget = r.integer("context_token_budget", 6000);
        long perIncident = r.longValue("token_budget.per_incident", 20_000);
        long perDay = r.longValue("token_budget.per_day", 1_000_000);
        Duration ttl = r.duration("cache_ttl", Duration.ofMinutes(30));
        int concurrency = r.integer("max_concurrency", 4);
        ResponseFormat format = r.responseFormat();
        int maxActions = r.integer("max_actions", 3);

        List<String> problems = new ArrayList<>(r.problems);
        problems.addAll(check(provider, baseUrl, model, key, deployment, apiVersion, connect, read, analysis,
                maxRetries, backoff, maxDelay, threshold, open, temperature, maxCompletion, contextBudget, perIncident,
                perDay, ttl, concurrency, maxActions, enabled));
        if (!problems.isEmpty()) throw new OpenAiConfigException(problems);
        if (key != null && "http".equals(baseUrl.getScheme()) && !isLoopback(baseUrl)) {
            LOG.warn("llm.base_url {} is plain http to a non-loopback host and an API key is configured ({}): "
                    + "the key travels unencrypted", baseUrl, key.source());
        }
        return new OpenAiConfig(enabled, provider, baseUrl, model, key, r.string("organization", null),
                r.string("project", null), deployment, apiVersion, connect, read, analysis, maxRetries, backoff,
                maxDelay, threshold, open, temperature, maxCompletion, contextBudget, perIncident, perDay, ttl,
                concurrency, format, maxActions, prompts, runbooks);
    }

    /**
     * Whether the analyzer should run with this configuration, without failing on other problems: off when
     * {@code llm.enabled} is false, or when the provider needs a key and none is configured. A provider
     * that cannot be parsed counts as enabled so that {@code create} reports the mistake instead of the
     * analyzer silently staying away.
     */
    public static boolean wanted(ConfigView config, Function<String, String> env) {
        ConfigView llm = config.under("llm");
        Optional<String> enabled = llm.get("enabled").map(String::trim).filter(s -> !s.isEmpty());
        if (enabled.isPresent() && Set.of("false", "no", "off").contains(enabled.get().toLowerCase(Locale.ROOT))) {
            return false;
        }
        String rawProvider = llm.getString("provider", "openai");
        Optional<Provider> provider = Provider.parse(rawProvider);
        if (provider.isEmpty()) return true;
        if (!provider.get().keyRequired()) {
            // ollama and vllm have usable local defaults; a generic compatible server needs its URL
            return provider.get() != Provider.COMPATIBLE || llm.get("base_url").filter(s -> !s.isBlank()).isPresent()
                    || keyConfigured(llm, provider.get(), env);
        }
        return keyConfigured(llm, provider.get(), env);
    }

    private static boolean keyConfigured(ConfigView llm, Provider provider, Function<String, String> env) {
        if (llm.get("api_key").filter(s -> !s.isBlank()).isPresent()) return true;
        if (llm.get("api_key_file").filter(s -> !s.isBlank()).isPresent()) return true;
        String var = llm.getString("api_key_env", defaultKeyEnv(provider));
        String value = env.apply(var);
        return value != null && !value.isBlank();
    }

    /** The chat completions URL for this provider flavour. */
    public URI chatCompletionsUrl() {
        String base = baseUrl.toString().replaceAll("/+$", "");
        if (provider == Provider.AZURE) {
            if (azureDeployment != null) {
                return URI.create(base + "/openai/deployments/" + urlSegment(azureDeployment)
                        + "/chat/completions?api-version=" + urlSegment(azureApiVersion));
            }
            String root = base.endsWith("/openai/v1") ? base : base + "/openai/v1";
            return URI.create(root + "/chat/completions" + (azureApiVersion == null ? "" : "?api-version="
                    + urlSegment(azureApiVersion)));
        }
        return URI.create(base + "/chat/completions");
    }

    /** Ollama's OpenAI layer reads {@code max_tokens} only; the others take {@code max_completion_tokens}. */
    public String maxTokensField() {
        return provider == Provider.OLLAMA ? "max_tokens" : "max_completion_tokens";
    }

    public Optional<ApiKey> key() {
        return Optional.ofNullable(apiKey);
    }

    @Override
    public String toString() {
        return "OpenAiConfig[provider=" + provider.id() + ", url=" + chatCompletionsUrl() + ", model=" + model
                + ", key=" + (apiKey == null ? "none" : "from " + apiKey.source()) + ", responseFormat="
                + responseFormat.id() + ", analysisTimeout=" + analysisTimeout + ", maxRetries=" + maxRetries
                + ", tokenBudget=" + tokenBudgetPerIncident + "/incident " + tokenBudgetPerDay + "/day"
                + ", cacheTtl=" + cacheTtl + ", maxConcurrency=" + maxConcurrency + "]";
    }

    // ---- checks -------------------------------------------------------------------------------------

    private static List<String> check(Provider provider, URI baseUrl, String model, ApiKey key, String deployment,
                                      String apiVersion, Duration connect, Duration read, Duration analysis,
                                      int maxRetries, Duration backoff, Duration maxDelay, int threshold,
                                      Duration open, Double temperature, int maxCompletion, int contextBudget,
                                      long perIncident, long perDay, Duration ttl, int concurrency, int maxActions,
                                      boolean enabled) {
        List<String> p = new ArrayList<>();
        if (baseUrl == null) {
            p.add("llm.base_url is required for provider " + provider.id());
        } else if (!"http".equals(baseUrl.getScheme()) && !"https".equals(baseUrl.getScheme())
                || baseUrl.getHost() == null) {
            p.add("llm.base_url must be an http(s) URL with a host, was: " + baseUrl);
        }
        if (model == null || model.isBlank()) {
            p.add("llm.model is required for provider " + provider.id()
                    + (provider == Provider.AZURE ? " without llm.azure.deployment" : ""));
        }
        if (enabled && provider.keyRequired() && key == null) {
            p.add("no API key for provider " + provider.id() + ": set llm.api_key_file, llm.api_key or the "
                    + "environment variable named by llm.api_key_env (default " + defaultKeyEnv(provider) + ")");
        }
        if (provider == Provider.AZURE && deployment != null && (apiVersion == null || apiVersion.isBlank())) {
            p.add("llm.azure.api_version is required with llm.azure.deployment");
        }
        if (provider != Provider.AZURE && deployment != null) {
            p.add("llm.azure.deployment is set but llm.provider is " + provider.id());
        }
        positive(p, "llm.connect_timeout", connect);
        positive(p, "llm.read_timeout", read);
        positive(p, "llm.analysis_timeout", analysis);
        positive(p, "llm.retry_backoff", backoff);
        positive(p, "llm.retry_max_delay", maxDelay);
        positive(p, "llm.circuit_breaker.open_duration", open);
        if (ttl != null && ttl.isNegative()) p.add("llm.cache_ttl must not be negative, was: " + ConfigView.formatDuration(ttl));
        if (maxRetries < 0 || maxRetries > 10) p.add("llm.max_retries must be within [0, 10], was: " + maxRetries);
        if (threshold < 1) p.add("llm.circuit_breaker.failure_threshold must be >= 1, was: " + threshold);
        if (temperature != null && (temperature.isNaN() || temperature < 0 || temperature > 2)) {
            p.add("llm.temperature must be within [0, 2] or 'none', was: " + temperature);
        }
        if (maxCompletion < 64 || maxCompletion > 100_000) {
            p.add("llm.max_completion_tokens must be within [64, 100000], was: " + maxCompletion);
        }
        if (contextBudget < 200 || contextBudget > 1_000_000) {
            p.add("llm.context_token_budget must be within [200, 1000000], was: " + contextBudget);
        }
        if (perIncident < 0) p.add("llm.token_budget.per_incident must be >= 0 (0 = unlimited), was: " + perIncident);
        if (perDay < 0) p.add("llm.token_budget.per_day must be >= 0 (0 = unlimited), was: " + perDay);
        if (concurrency < 1 || concurrency > 64) p.add("llm.max_concurrency must be within [1, 64], was: " + concurrency);
        if (maxActions < 0 || maxActions > 10) p.add("llm.max_actions must be within [0, 10], was: " + maxActions);
        return p;
    }

    private static void positive(List<String> p, String key, Duration d) {
        if (d != null && (d.isZero() || d.isNegative())) p.add(key + " must be positive, was: " + ConfigView.formatDuration(d));
        if (d == null) p.add(key + " is required");
    }

    private static String defaultModel(Provider provider, String deployment) {
        return switch (provider) {
            case OPENAI -> "gpt-4o-mini";
            case AZURE -> deployment;
            default -> null;
        };
    }

    static String defaultKeyEnv(Provider provider) {
        return provider == Provider.AZURE ? "AZURE_OPENAI_API_KEY" : "OPENAI_API_KEY";
    }

    private static URI defaultBaseUrl(Provider provider) {
        return switch (provider) {
            case OPENAI -> URI.create("https://api.openai.com/v1");
            case OLLAMA -> URI.create("http://127.0.0.1:11434/v1");
            case VLLM -> URI.create("http://127.0.0.1:8000/v1");
            default -> null;
        };
    }

    private static boolean isLoopback(URI uri) {
        String h = uri.getHost();
        return h != null && (h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1"));
    }

    private static String urlSegment(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** Reads typed values, recording each bad one instead of stopping at the first. */
    private static final class Reader {
        final ConfigView llm;
        final List<String> problems = new ArrayList<>();

        Reader(ConfigView llm) {
            this.llm = llm;
        }

        String string(String key, String fallback) {
            return llm.getString(key, fallback);
        }

        boolean bool(String key, boolean fallback) {
            try {
                return llm.getBoolean(key, fallback);
            } catch (IllegalArgumentException e) {
                problems.add(PREFIX + e.getMessage());
                return fallback;
            }
        }

        int integer(String key, int fallback) {
            try {
                return llm.getInt(key, fallback);
            } catch (IllegalArgumentException e) {
                problems.add(PREFIX + e.getMessage());
                return fallback;
            }
        }

        long longValue(String key, long fallback) {
            Optional<String> v = llm.get(key).map(String::trim).filter(s -> !s.isEmpty());
            if (v.isEmpty()) return fallback;
            try {
                return Long.parseLong(v.get().replace("_", ""));
            } catch (NumberFormatException e) {
                problems.add(PREFIX + key + ": not an integer: " + v.get());
                return fallback;
            }
        }

        Duration duration(String key, Duration fallback) {
            try {
                return llm.getDuration(key, fallback);
            } catch (IllegalArgumentException e) {
                problems.add(PREFIX + e.getMessage());
                return fallback;
            }
        }

        Provider provider() {
            String raw = llm.getString("provider", "openai");
            Optional<Provider> p = Provider.parse(raw);
            if (p.isEmpty()) {
                problems.add("llm.provider must be one of openai, azure, compatible (litellm), ollama, vllm, was: " + raw);
                return Provider.OPENAI;
            }
            return p.get();
        }

        URI baseUrl(Provider provider) {
            Optional<String> raw = llm.get("base_url").map(String::trim).filter(s -> !s.isEmpty());
            if (raw.isEmpty()) return defaultBaseUrl(provider);
            try {
                URI uri = new URI(raw.get());
                String path = uri.getPath() == null ? "" : uri.getPath();
                if ((provider == Provider.OLLAMA || provider == Provider.VLLM || provider == Provider.COMPATIBLE)
                        && (path.isEmpty() || path.equals("/"))) {
                    // a bare server address: the OpenAI-compatible routes live under /v1
                    uri = new URI(raw.get().replaceAll("/+$", "") + "/v1");
                }
                return uri;
            } catch (URISyntaxException e) {
                problems.add("llm.base_url is not a valid URL: " + raw.get());
                return defaultBaseUrl(provider);
            }
        }

        Double temperature() {
            Optional<String> raw = llm.get("temperature").map(String::trim).filter(s -> !s.isEmpty());
            if (raw.isEmpty()) return 0.1;
            if (raw.get().equalsIgnoreCase("none") || raw.get().equalsIgnoreCase("default")) return null;
            try {
                return Double.parseDouble(raw.get());
            } catch (NumberFormatException e) {
                problems.add("llm.temperature: not a number: " + raw.get());
                return 0.1;
            }
        }

        ResponseFormat responseFormat() {
            String raw = llm.getString("response_format", "json_schema").toLowerCase(Locale.ROOT);
            for (ResponseFormat f : ResponseFormat.values()) if (f.id.equals(raw)) return f;
            problems.add("llm.response_format must be json_schema or json_object, was: " + raw);
            return ResponseFormat.JSON_SCHEMA;
        }

        ApiKey apiKey(Provider provider, Function<String, String> env) {
            Optional<String> direct = llm.get("api_key").filter(s -> !s.isBlank());
            if (direct.isPresent()) return ApiKey.of(direct.get(), "llm.api_key");
            Optional<String> file = llm.get("api_key_file").map(String::trim).filter(s -> !s.isEmpty());
            if (file.isPresent()) {
                try {
                    String content = Files.readString(Path.of(file.get())).strip();
                    if (content.isEmpty()) {
                        problems.add("llm.api_key_file " + file.get() + " is empty");
                        return null;
                    }
                    return ApiKey.of(content, "file " + file.get());
                } catch (IOException | RuntimeException e) {
                    // the message names the path only, never content
                    problems.add("llm.api_key_file " + file.get() + " cannot be read: " + e.getClass().getSimpleName());
                    return null;
                }
            }
            String var = llm.getString("api_key_env", defaultKeyEnv(provider));
            String value = env.apply(var);
            return value == null || value.isBlank() ? null : ApiKey.of(value, "env " + var);
        }

    }
}

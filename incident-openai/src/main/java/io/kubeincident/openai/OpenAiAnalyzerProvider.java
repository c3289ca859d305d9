package io.kubeincident.openai;

import io.kubeincident.api.ConfigKeys;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.DeclaresConfiguration;
import io.kubeincident.spi.AnalyzerProvider;
import io.kubeincident.spi.ProviderContext;

import java.util.function.Function;

/**
 * ServiceLoader entry for {@link OpenAiAnalyzer}. Enabled when an API key is configured
 * ({@code llm.api_key_env}, default {@code OPENAI_API_KEY}; {@code llm.api_key_file}; {@code llm.api_key}),
 * or without one for servers that need none ({@code llm.provider: ollama} or {@code vllm}, or
 * {@code compatible} with a {@code llm.base_url}); {@code llm.enabled: false} turns it off.
 */
public final class OpenAiAnalyzerProvider implements AnalyzerProvider, DeclaresConfiguration {

    private final Function<String, String> env;

    public OpenAiAnalyzerProvider() {
        this(System::getenv);
    }

    /** @param env environment lookup (tests pass a map) */
    public OpenAiAnalyzerProvider(Function<String, String> env) {
        this.env = env;
    }

    @Override
    public ConfigKeys configKeys() {
        return OpenAiConfig.CONFIG_KEYS;
    }

    @Override
    public boolean enabled(ProviderContext context) {
        return OpenAiConfig.wanted(context.config(), env);
    }

    /**
     * Builds the analyzer and checks the key and the model once ({@link OpenAiAnalyzer#preflight()}): a wrong key
     * or an unknown model is reported at start-up, loudly, and the analyzer stays disabled.
     *
     * @throws OpenAiConfigException listing every configuration problem
     */
    @Override
    public Analyzer create(ProviderContext context) {
        OpenAiAnalyzer analyzer = new OpenAiAnalyzer(OpenAiConfig.from(context.config(), env), context.clock(),
                context.outcomes(), context.cluster());
        analyzer.preflight();
        return analyzer;
    }
}

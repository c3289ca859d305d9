package io.kubeincident.rules;

import io.kubeincident.api.ConfigKeys;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.DeclaresConfiguration;
import io.kubeincident.spi.AnalyzerProvider;
import io.kubeincident.spi.ProviderContext;

/**
 * Creates the {@link RulesAnalyzer} from the {@code rules.*} configuration and the engine's outcome
 * history. Always enabled: it is the fallback that answers when no LLM is configured or the LLM fails.
 * {@link #create} throws {@link RuleValidationException} (listing every problem) for a bad rule file.
 */
public final class RulesAnalyzerProvider implements AnalyzerProvider, DeclaresConfiguration {

    public RulesAnalyzerProvider() {
    }

    @Override
    public ConfigKeys configKeys() {
        return RulesConfig.CONFIG_KEYS;
    }

    @Override
    public Analyzer create(ProviderContext context) {
        RulesConfig config = RulesConfig.from(context.config());
        return new RulesAnalyzer(config.loadKnowledgeBase(), context.outcomes(), config);
    }
}

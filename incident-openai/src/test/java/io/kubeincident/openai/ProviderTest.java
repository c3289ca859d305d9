package io.kubeincident.openai;

import io.kubeincident.api.ConfigView;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.AnalyzerProvider;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static io.kubeincident.openai.Checks.contains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProviderTest {

    private static io.kubeincident.spi.ProviderContext context(Map<String, String> config) {
        return Fixtures.context(ConfigView.of(config), Clock.systemUTC(), io.kubeincident.spi.OutcomeHistory.none());
    }

    @Test
    void registeredForServiceLoader() {
        List<String> found = ServiceLoader.load(AnalyzerProvider.class).stream()
                .map(p -> p.type().getName()).toList();

        assertTrue(found.contains(OpenAiAnalyzerProvider.class.getName()), found.toString());
    }

    @Test
    void offWithoutAKeySoTheRulesAnswerAlone() {
        OpenAiAnalyzerProvider p = new OpenAiAnalyzerProvider(name -> null);

        assertFalse(p.enabled(context(Map.of())));
        assertTrue(new OpenAiAnalyzerProvider(name -> "OPENAI_API_KEY".equals(name) ? "sk-x0123456789" : null)
                .enabled(context(Map.of())));
        assertTrue(p.enabled(context(Map.of("llm.provider", "ollama", "llm.model", "llama3.1:8b"))));
    }

    @Test
    void createsTheAnalyzerWithItsIdAndPriority() {
        Analyzer a = new OpenAiAnalyzerProvider(name -> null).create(context(Fixtures.llm("http://127.0.0.1:1/v1")));

        assertEquals("openai", a.id());
        assertEquals(100, a.priority());
        assertInstanceOf(AutoCloseable.class, a);
        ((OpenAiAnalyzer) a).close();
    }

    @Test
    void badConfigurationFailsCreateListingEveryProblem() {
        OpenAiConfigException e = assertThrows(OpenAiConfigException.class, () -> new OpenAiAnalyzerProvider(name -> null)
                .create(context(Map.of("llm.provider", "gpt", "llm.max_retries", "many"))));

        contains(e.getMessage(), "llm.provider", "llm.max_retries");
    }
}

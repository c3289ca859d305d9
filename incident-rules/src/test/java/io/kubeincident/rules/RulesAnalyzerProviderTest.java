package io.kubeincident.rules;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.OutcomeRecord.Outcome;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.AnalyzerProvider;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.testkit.context.TestContexts;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RulesAnalyzerProviderTest {

    @Test
    void isDiscoveredThroughServiceLoader() {
        List<AnalyzerProvider> providers = ServiceLoader.load(AnalyzerProvider.class).stream()
                .map(ServiceLoader.Provider::get).toList();
        assertTrue(providers.stream().anyMatch(p -> p instanceof RulesAnalyzerProvider), providers.toString());
    }

    @Test
    void buildsTheAnalyzerFromConfigurationAndTheOutcomeHistory() {
        String inline = """
                rules:
                  - id: crash-loop-unexplained
                    types: [crash-loop]
                    category: from-configmap
                    rootCause: "{{container}} crashes"
                    actions:
                      - type: restart-pod
                        target: pod
                        confidence: 0.9
                """;
        OutcomeHistoryTest.ListHistory history = new OutcomeHistoryTest.ListHistory()
                .add("crash-loop", ActionTypes.RESTART_POD, ResourceRef.of("Deployment", "shop", "checkout"), Outcome.NOT_IMPROVED);
        RulesAnalyzerProvider provider = new RulesAnalyzerProvider();
        ProviderContext ctx = TestContexts.provider().config(Map.of("rules.inline", inline)).outcomes(history).build();
        assertTrue(provider.enabled(ctx));
        Analyzer analyzer = provider.create(ctx);
        assertEquals("rules", analyzer.id());
        assertEquals(0, analyzer.priority());

        Diagnosis d = RulesAnalyzerTest.diagnose(assertInstanceOf(RulesAnalyzer.class, analyzer), RuleLoadingTest.crashLoop().request());
        assertEquals("from-configmap", d.category());
        assertEquals("rules.inline", d.attributes().get("ruleSource"));
        // The history from the context is used: one unhelpful restart lowers 0.9.
        assertEquals(0.9 * OutcomeAdjuster.PENALTY, d.actions().get(0).confidence(), 1e-9);
    }

    @Test
    void badRulesFailCreationWithEveryProblemListed() {
        ProviderContext ctx = TestContexts.provider()
                .config(Map.of("rules.inline", "rules:\n  - id: Bad Id\n    types: [crash-loop]\n")).build();
        RuleValidationException e = assertThrows(RuleValidationException.class, () -> new RulesAnalyzerProvider().create(ctx));
        assertTrue(e.getMessage().contains("rules.inline: rule 'Bad Id': field 'id'"), e.getMessage());
        assertTrue(e.getMessage().contains("field 'category': is required"), e.getMessage());
        assertTrue(e.getMessage().contains("field 'rootCause': is required"), e.getMessage());
    }
}

package io.kubeincident.responder;

import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.ConfigKeys;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.DeclaresConfiguration;
import io.kubeincident.spi.AnalyzerProvider;
import io.kubeincident.spi.ProviderContext;

import java.util.List;
import java.util.Map;

/**
 * A deterministic analyzer for the responder's tests, found through ServiceLoader like any plugin but
 * enabled only with {@code responder_test.fixed_analyzer=true}: for a crash loop it proposes restarting
 * the first pod with the confidence in {@code responder_test.confidence} (default 0.9). Its texts (root cause,
 * reasoning, rationale) can be set with {@code responder_test.text}, as an LLM's answer would carry them.
 */
public final class FixedAnalyzerProvider implements AnalyzerProvider, DeclaresConfiguration {
    @Override
    public ConfigKeys configKeys() {
        return ConfigKeys.builder().bool("responder_test.fixed_analyzer").number("responder_test.confidence")
                .text("responder_test.text").build();
    }

    @Override
    public boolean enabled(ProviderContext context) {
        return context.config().getBoolean("responder_test.fixed_analyzer", false);
    }

    @Override
    public Analyzer create(ProviderContext context) {
        double confidence = context.config().getDouble("responder_test.confidence", 0.9);
        String text = context.config().getString("responder_test.text", "");
        return new Analyzer() {
            @Override
            public String id() {
                return "fixed-test";
            }

            @Override
            public int priority() {
                return 1000;
            }

            @Override
            public AnalysisOutcome analyze(io.kubeincident.api.AnalysisRequest request) {
                var incident = request.incident();
                ResourceRef pod = incident.resources().stream().filter(r -> r.kind().equals("Pod")).findFirst()
                        .orElse(incident.rootResource());
                return AnalysisOutcome.diagnosed(new Diagnosis("app-crash", "the container exits with code 1" + text,
                        "fixed test answer" + text, confidence, "fixed-test",
                        List.of(new ProposedAction("restart-pod", pod, Map.of(), confidence, "restart it" + text)),
                        Map.of("prompt_tokens", "120", "completion_tokens", "30")));
            }
        };
    }
}

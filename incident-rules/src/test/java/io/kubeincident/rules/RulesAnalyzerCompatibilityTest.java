package io.kubeincident.rules;

import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.AnalyzerProvider;
import io.kubeincident.testkit.kit.AnalyzerCompatibilityKit;

import java.util.List;

/** The project's own analyzer passes the same kit a third-party analyzer would. */
class RulesAnalyzerCompatibilityTest extends AnalyzerCompatibilityKit {

    @Override
    protected Analyzer analyzer() {
        return new RulesAnalyzer();
    }

    @Override
    protected Class<? extends AnalyzerProvider> providerClass() {
        return RulesAnalyzerProvider.class;
    }

    @Override
    protected AnalysisRequest sampleRequest() {
        return RulesAnalyzerTest.afterRollout()
                .event("Warning", "BackOff", "Back-off restarting failed container checkout", 23)
                .log("Pod/shop/checkout-7d9f8c6b5-x2x7q", "checkout", true,
                        List.of("FATAL dial tcp 10.96.12.7:5432: connect: connection refused"))
                .request();
    }
}

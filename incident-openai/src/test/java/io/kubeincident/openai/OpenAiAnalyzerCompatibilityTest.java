package io.kubeincident.openai;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.AnalyzerProvider;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.kit.AnalyzerCompatibilityKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/** The OpenAI analyzer passes the same kit a third-party analyzer would, against a loopback model. */
class OpenAiAnalyzerCompatibilityTest extends AnalyzerCompatibilityKit {

    @RegisterExtension
    static WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static OpenAiAnalyzer analyzer;

    @BeforeAll
    static void model() {
        // the model always proposes a rollback of Deployment/default/web: valid for the sample, rejected
        // where the request offers no such action or resource
        wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(Fixtures.completion(Fixtures.goodAnswer()))));
        analyzer = Fixtures.analyzer(Fixtures.llm(base()));
    }

    @AfterAll
    static void close() {
        analyzer.close();
    }

    private static String base() {
        return "http://127.0.0.1:" + wm.getPort() + "/v1";
    }

    @Override
    protected Analyzer analyzer() {
        return analyzer;
    }

    @Override
    protected Class<? extends AnalyzerProvider> providerClass() {
        return OpenAiAnalyzerProvider.class;
    }

    @Override
    protected AnalysisRequest sampleRequest() {
        return Fixtures.crashRequest();
    }

    @Override
    protected ProviderContext providerContext() {
        return TestContexts.provider().config(Fixtures.llm(base())).build();
    }
}

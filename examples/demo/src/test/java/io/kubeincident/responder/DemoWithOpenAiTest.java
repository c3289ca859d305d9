package io.kubeincident.responder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo with an LLM (an OpenAI-shaped stub on loopback): the model's answer for the bad rollout is
 * accepted and acted on; the same answer for the bare pods targets a Deployment outside their incidents,
 * so it is rejected and the rules answer instead.
 */
class DemoWithOpenAiTest {
    @RegisterExtension
    static WireMockExtension llm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    @Test
    void theModelsRollbackRunsAndItsOutOfBoundsAnswersFallBackToTheRules() throws Exception {
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("kind", "Deployment");
        target.put("namespace", "shop");
        target.put("name", "checkout");
        Map<String, Object> action = new LinkedHashMap<>();
        action.put("type", "rollback-deployment");
        action.put("target", target);
        action.put("parameters", Map.of("toRevision", 1));
        action.put("confidence", 0.88);
        action.put("rationale", "revision 1 ran fine");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("category", "bad-rollout");
        answer.put("root_cause", "checkout:1.5.0 exits at start-up; checkout:1.4.2 ran fine");
        answer.put("reasoning", "the crashes began with revision 2");
        answer.put("confidence", 0.88);
        answer.put("actions", List.of(action));
        ObjectMapper json = new ObjectMapper();
        String completion = json.writeValueAsString(Map.of(
                "id", "chatcmpl-1", "object", "chat.completion", "created", 1741570283, "model", "gpt-4o-mini-2024-07-18",
                "choices", List.of(Map.of("index", 0, "finish_reason", "stop",
                        "message", Map.of("role", "assistant", "content", json.writeValueAsString(answer)))),
                "usage", Map.of("prompt_tokens", 900, "completion_tokens", 120, "total_tokens", 1020)));
        llm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(completion)));

        Cli r = Cli.run(Map.of(
                "KUBE_INCIDENT_LLM__BASE_URL", "http://127.0.0.1:" + llm.getPort() + "/v1",
                "KUBE_INCIDENT_LLM__API_KEY", "sk-test-0123456789abcdefghij",
                "KUBE_INCIDENT_LLM__RETRY_BACKOFF", "10ms",
                "KUBE_INCIDENT_LLM__RETRY_MAX_DELAY", "50ms"), "demo", "--timeout", "60s");

        String out = r.out();
        assertEquals(ExitCodes.OK, r.exitCode(), out + r.err());
        assertTrue(out.contains("analyzers  openai, rules"), out);
        assertTrue(out.matches("(?s).*Deployment/shop/checkout · severity high\\n.*?by openai, confidence 0\\.88.*"), out);
        assertTrue(out.contains("action     rollback-deployment applied"), out);
        assertTrue(out.matches("(?s).*Pod/default/crashing-pod · severity high\\n.*?by rules, confidence.*"), out);
        assertTrue(llm.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).size() >= 2, "asked per incident");
    }
}

package io.kubeincident.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubeincident.api.AnalysisRequest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Measures the rendered context of each demo incident with the default budget and prints a table (also
 * written to {@code target/demo-context-tokens.md}, the rendered prompts to {@code target/demo-contexts/}); the
 * module README quotes it. Run with
 * {@code mvn -B -q -pl incident-openai -am verify -Dtest=DemoContextTokensTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class DemoContextTokensTest {

    @Test
    void renderedContextOfEachDemoScenario() throws IOException {
        OpenAiConfig config = Fixtures.config(Fixtures.llm("http://127.0.0.1:1/v1"));
        ContextRenderer renderer = new ContextRenderer(config.contextTokenBudget());
        ObjectMapper json = new ObjectMapper();
        StringBuilder table = new StringBuilder();
        table.append("| scenario | context tokens (est.) | context chars | whole request tokens (est.: system + user + schema) |\n");
        table.append("| --- | ---: | ---: | ---: |\n");
        for (Map.Entry<String, AnalysisRequest> e : DemoContexts.all().entrySet()) {
            AnalysisRequest request = e.getValue();
            ContextRenderer.Rendered r = renderer.render(request, java.util.List.of());
            String user = config.prompts().userMessage(request.incident(), r.text());
            String schema = json.writeValueAsString(ResponseSchema.build(request, config.maxActions(), true));
            int whole = TokenEstimator.estimate(config.prompts().system()) + TokenEstimator.estimate(user)
                    + TokenEstimator.estimate(schema);
            table.append("| ").append(e.getKey()).append(" | ").append(r.estimatedTokens()).append(" | ")
                    .append(r.text().length()).append(" | ").append(whole).append(" |\n");

            Path dump = Path.of("target", "demo-contexts", e.getKey().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("-$", "") + ".txt");
            Files.createDirectories(dump.getParent());
            Files.writeString(dump, "=== system\n" + config.prompts().system() + "\n=== user\n" + user);

            assertTrue(r.estimatedTokens() > 100, e.getKey() + " rendered something");
            assertTrue(r.estimatedTokens() <= config.contextTokenBudget(), e.getKey() + " within the budget");
            assertTrue(r.omittedLogLines() == 0 && r.omittedEvents() == 0, e.getKey() + ": nothing had to be cut");
        }
        System.out.println(table);
        Path out = Path.of("target", "demo-context-tokens.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
    }
}

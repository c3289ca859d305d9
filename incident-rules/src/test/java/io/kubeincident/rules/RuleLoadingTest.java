package io.kubeincident.rules;

import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.spi.OutcomeHistory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** User rule files and inline rules: extending, overriding, disabling, and every way to get them wrong. */
class RuleLoadingTest {

    @TempDir
    Path dir;

    private static final String CUSTOM_CRASH = """
            version: 1
            rules:
              # Overrides the bundled rule of the same id: this team wants the restart at once.
              - id: crash-loop-unexplained
                types: [crash-loop]
                when:
                  - fact: rootKind
                    notEquals: Pod
                category: flaky-service
                confidence: 0.85
                rootCause: "{{container}} of {{root}} is flaky again (exit {{exitCode}})"
                actions:
                  - type: restart-pod
                    target: pod
                    confidence: 0.85
              # Extends: a cause the bundled rules do not know.
              - id: checkout-license-expired
                types: [crash-loop]
                priority: 70
                when:
                  - log: 'license (?<license>[A-Z0-9-]+) expired'
                category: license-expired
                confidence: 0.95
                rootCause: "License {{license}} of {{container}} expired"
                actions: []
            """;

    @Test
    void userFileOverridesAndExtendsBundledRules() throws IOException {
        Path file = dir.resolve("team-rules.yaml");
        Files.writeString(file, CUSTOM_CRASH);
        KnowledgeBase kb = KnowledgeBase.builder().file(file).build();

        assertEquals(file.toString(), kb.sourceOf("crash-loop-unexplained").orElseThrow());
        assertEquals(file.toString(), kb.sourceOf("checkout-license-expired").orElseThrow());
        assertEquals(KnowledgeBase.BUNDLED_SOURCE, kb.sourceOf("crash-loop-after-rollout").orElseThrow());
        assertEquals(KnowledgeBase.bundled().size() + 1, kb.size());

        RulesAnalyzer analyzer = new RulesAnalyzer(kb, OutcomeHistory.none(), RulesConfig.defaults());
        Diagnosis overridden = diagnose(analyzer, crashLoop().request());
        assertEquals("crash-loop-unexplained", overridden.attributes().get("rule"));
        assertEquals("flaky-service", overridden.category());
        assertEquals("checkout of Deployment shop/checkout is flaky again (exit 1)", overridden.rootCause());
        assertEquals(0.85, overridden.actions().get(0).confidence());
        assertEquals(file.toString(), overridden.attributes().get("ruleSource"));

        Diagnosis extended = diagnose(analyzer, crashLoop()
                .log("Pod/shop/checkout-7d9f8c6b5-x2x7q", "checkout", true, List.of("FATAL license ACME-2024-77 expired")).request());
        assertEquals("checkout-license-expired", extended.attributes().get("rule"));
        assertEquals("License ACME-2024-77 of checkout expired", extended.rootCause());
        assertTrue(extended.actions().isEmpty());

        // The bundled rules still answer what the user file does not touch.
        Diagnosis bundled = diagnose(analyzer, crashLoop().fact("rolloutRecent", "true")
                .fact("previousRevisionHealthy", "true").fact("previousRevision", "11").request());
        assertEquals("crash-loop-after-rollout", bundled.attributes().get("rule"));
    }

    @Test
    void inlineRulesApplyAfterTheFileAndCanDisableRules() throws IOException {
        Path file = dir.resolve("team-rules.yaml");
        Files.writeString(file, CUSTOM_CRASH);
        String inline = """
                rules:
                  - id: checkout-license-expired
                    enabled: false
                  - id: crash-loop-after-rollout
                    enabled: false
                """;
        RulesConfig config = RulesConfig.from(ConfigView.of(Map.of("rules.file", file.toString(), "rules.inline", inline)));
        KnowledgeBase kb = config.loadKnowledgeBase();
        assertFalse(kb.ruleIds().contains("checkout-license-expired"));
        assertFalse(kb.ruleIds().contains("crash-loop-after-rollout"));
        assertTrue(kb.ruleIds().contains("crash-loop-after-rollout-unverified"));

        RulesAnalyzer analyzer = new RulesAnalyzer(kb, OutcomeHistory.none(), config);
        Diagnosis d = diagnose(analyzer, crashLoop().fact("rolloutRecent", "true").fact("previousRevisionHealthy", "true")
                .fact("previousRevision", "11").request());
        // With the high-confidence rule disabled, the next rule for a fresh rollout answers.
        assertEquals("crash-loop-after-rollout-unverified", d.attributes().get("rule"));
    }

    @Test
    void malformedRuleFileListsEveryProblemWithFileRuleAndField() throws IOException {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, """
                version: 1
                rules:
                  - id: oom-custom
                    types: [oom-killed]
                    category: Memory_Too_Low
                    confidence: 1.5
                    rootCause: "{{container} ran out"
                    when:
                      - fact: restartCount
                        gte: many
                      - log: '(unclosed'
                      - fact: exitCode
                        equals: "137"
                        in: ["1"]
                      - eventt: {reason: BackOff}
                    actions:
                      - type: Raise_Memory
                        target: cluster
                        confidence: -1
                        parameters:
                          memoryLimit: "{{memoryLimit|double}}"
                  - id: oom-custom
                    types: oom-killed
                    category: dup
                    rootCause: x
                  - types: [crash-loop]
                    category: no-id
                    rootCause: x
                    confidance: 0.5
                """);
        RuleValidationException e = assertThrows(RuleValidationException.class,
                () -> KnowledgeBase.builder().file(file).build());
        List<String> lines = e.errors().stream().map(RuleError::toString).toList();
        String all = String.join("\n", lines);

        assertHas(e, file, "oom-custom", "category", "kebab-case");
        assertHas(e, file, "oom-custom", "confidence", "[0, 1], was: 1.5");
        assertHas(e, file, "oom-custom", "rootCause", "bad template");
        assertHas(e, file, "oom-custom", "when[0].gte", "must be a number");
        assertHas(e, file, "oom-custom", "when[1].log", "not a valid regular expression");
        assertHas(e, file, "oom-custom", "when[2]", "exactly one operator");
        assertHas(e, file, "oom-custom", "when[3]", "needs exactly one of");
        assertHas(e, file, "oom-custom", "actions[0].type", "kebab-case");
        assertHas(e, file, "oom-custom", "actions[0].target", "was: cluster");
        assertHas(e, file, "oom-custom", "actions[0].confidence", "[0, 1]");
        assertHas(e, file, "oom-custom", "actions[0].parameters.memoryLimit", "unknown filter 'double'");
        assertHas(e, file, "oom-custom", "id", "duplicate id");
        assertHas(e, file, "rules[2]", "id", "kebab-case id is required");
        assertHas(e, file, "rules[2]", "confidance", "unknown field");
        assertTrue(e.errors().size() >= 14, all);
        // The message itself names file, rule and field, so a log line is enough to fix the file.
        assertTrue(e.getMessage().contains(file + ": rule 'oom-custom': field 'confidence': must be a number within [0, 1], was: 1.5"),
                e.getMessage());
    }

    @Test
    void yamlSyntaxErrorNamesFileAndLine() throws IOException {
        Path file = dir.resolve("syntax.yaml");
        Files.writeString(file, "rules:\n  - id: a\n    types: [crash-loop\n    category: x\n");
        RuleValidationException e = assertThrows(RuleValidationException.class,
                () -> KnowledgeBase.builder().file(file).build());
        assertEquals(1, e.errors().size());
        RuleError err = e.errors().get(0);
        assertEquals(file.toString(), err.source());
        assertTrue(err.field().startsWith("line "), err.toString());
        assertTrue(err.message().startsWith("not valid YAML"), err.toString());
    }

    @Test
    void duplicateKeysInOneRuleAreAnError() {
        RuleValidationException e = assertThrows(RuleValidationException.class, () -> KnowledgeBase.builder()
                .yaml("rules.inline", "rules:\n  - id: a\n    types: [crash-loop]\n    category: x\n    category: y\n    rootCause: r\n")
                .build());
        assertTrue(e.getMessage().contains("Duplicate field 'category'"), e.getMessage());
    }

    @Test
    void missingFileAndBadSourcesAreReportedTogether() {
        Path missing = dir.resolve("nope.yaml");
        RuleValidationException e = assertThrows(RuleValidationException.class, () -> KnowledgeBase.builder()
                .file(missing)
                .yaml("rules.inline", "just a string")
                .yaml("other", "rules:\n  - id: x\n    types: []\n    category: c\n    rootCause: r\n")
                .build());
        assertEquals(3, e.errors().size(), e.getMessage());
        assertEquals(missing.toString(), e.errors().get(0).source());
        assertTrue(e.errors().get(0).message().contains("cannot read"));
        assertEquals("rules.inline", e.errors().get(1).source());
        assertEquals("types", e.errors().get(2).field());
    }

    @Test
    void everyConditionAndTemplateFormIsCheckedAtLoad() {
        RuleValidationException e = assertThrows(RuleValidationException.class, () -> KnowledgeBase.builder().bundled(false)
                .yaml("inline", """
                        rules:
                          - id: forms
                            types: ["*"]
                            category: c
                            rootCause: "[[ open"
                            reasoning: "{{a|truncate:x}}"
                            advice: ["{{a|raiseMemory:0.5}}", 7]
                            when:
                              - event: {reason: 5}
                              - event: {type: Error, message: ok}
                              - event: {}
                              - resources: {kind: pod, min: 3, max: 1}
                              - any: []
                              - not: {fact: x}
                              - log: {pattern: ok, previous: maybe, color: red}
                              - text: ""
                              - fact: x
                                in: []
                              - fact: x
                                exists: "yes"
                            actions:
                              - type: scale
                                target: kind:deployment
                                maxFailures: 0
                                parameters: {replicas: [1, 2]}
                                when: {fact: x}
                        """).build());
        String m = e.getMessage();
        for (String field : List.of("rootCause", "reasoning", "advice[0]", "advice[1]", "when[0].event.reason",
                "when[1].event.type", "when[2].event", "when[3].resources.kind", "when[3].resources", "when[4].any",
                "when[5].not", "when[6].log.previous", "when[6].log.color", "when[7].text", "when[8].in",
                "when[9].exists", "actions[0].target", "actions[0].maxFailures", "actions[0].parameters.replicas",
                "actions[0].when")) {
            assertTrue(m.contains("field '" + field + "'"), "no error for " + field + " in:\n" + m);
        }
    }

    @Test
    void noRuleMatchingDeclinesInsteadOfGuessing() {
        KnowledgeBase kb = KnowledgeBase.builder().bundled(false).yaml("inline", """
                rules:
                  - id: only-nodes
                    types: [node-not-ready]
                    category: node-failure
                    rootCause: node
                """).build();
        AnalysisOutcome out = new RulesAnalyzer(kb, OutcomeHistory.none(), RulesConfig.defaults()).analyze(crashLoop().request());
        AnalysisOutcome.Declined declined = assertInstanceOf(AnalysisOutcome.Declined.class, out);
        assertTrue(declined.reason().contains("crash-loop"));
    }

    @Test
    void configurationProblemsAreListedTogether() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RulesConfig.from(ConfigView.of(Map.of(
                "rules.bundled", "perhaps",
                "rules.recent_rollout_window", "soon",
                "rules.max_memory_limit", "lots",
                "rules.history.max_failures", "0",
                "rules.fiel", "/etc/rules.yaml"))));
        for (String key : List.of("rules.bundled", "rules.recent_rollout_window", "rules.max_memory_limit",
                "rules.history.max_failures", "rules.fiel")) {
            assertTrue(e.getMessage().contains(key), key + " missing in: " + e.getMessage());
        }
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> RulesConfig.from(ConfigView.of(Map.of("rules.bundled", "false"))));
        assertTrue(none.getMessage().contains("no rules"), none.getMessage());
    }

    @Test
    void configurationKeysAreRead() {
        RulesConfig c = RulesConfig.from(ConfigView.of(Map.of("rules.recent_rollout_window", "45m",
                "rules.max_memory_limit", "8Gi", "rules.history.max_failures", "3", "rules.inline", "  rules: []\n")));
        assertEquals(45, c.recentRolloutWindow().toMinutes());
        assertEquals(8L * 1024 * 1024 * 1024, c.maxMemoryLimitBytes());
        assertEquals(3, c.maxFailures());
        assertEquals("  rules: []\n", c.inline(), "inline YAML is kept verbatim");
        assertTrue(c.bundled());
    }

    private static void assertHas(RuleValidationException e, Path file, String rule, String field, String text) {
        boolean found = e.errors().stream().anyMatch(err -> err.source().equals(file.toString())
                && rule.equals(err.rule()) && field.equals(err.field()) && err.message().contains(text));
        assertTrue(found, "no error for rule " + rule + " field " + field + " containing '" + text + "' in:\n" + e.getMessage());
    }

    private static Diagnosis diagnose(RulesAnalyzer analyzer, io.kubeincident.api.AnalysisRequest request) {
        AnalysisOutcome out = analyzer.analyze(request);
        return assertInstanceOf(AnalysisOutcome.Diagnosed.class, out, () -> "outcome: " + out).diagnosis();
    }

    static TestIncidents.Builder crashLoop() {
        return TestIncidents.incident("crash-loop", "Deployment/shop/checkout")
                .resource("Pod/shop/checkout-7d9f8c6b5-x2x7q")
                .finding("Pod/shop/checkout-7d9f8c6b5-x2x7q", "Pod shop/checkout-7d9f8c6b5-x2x7q is in CrashLoopBackOff",
                        Map.of("container", "checkout", "waitingReason", "CrashLoopBackOff", "exitCode", "1",
                                "restartCount", "6", "ownerKind", "ReplicaSet", "ownerName", "checkout-7d9f8c6b5"));
    }
}

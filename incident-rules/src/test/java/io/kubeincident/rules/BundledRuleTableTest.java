package io.kubeincident.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.spi.OutcomeHistory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the table of realistic incidents in {@code rule-cases.yaml} through the analyzer with the bundled
 * rules. Every bundled rule needs a positive case ({@code expect.rule}) and a near miss
 * ({@code nearMissOf}: similar evidence that must not select it).
 */
class BundledRuleTableTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static List<JsonNode> cases;
    private static RulesAnalyzer analyzer;

    @BeforeAll
    static void load() throws IOException {
        analyzer = new RulesAnalyzer(KnowledgeBase.bundled(), OutcomeHistory.none(), RulesConfig.defaults());
        try (InputStream in = BundledRuleTableTest.class.getResourceAsStream("/rule-cases.yaml")) {
            JsonNode root = YAML.readTree(in);
            Map<String, JsonNode> templates = new LinkedHashMap<>();
            root.get("templates").fields().forEachRemaining(e -> templates.put(e.getKey(), e.getValue()));
            cases = new ArrayList<>();
            for (JsonNode c : root.get("cases")) cases.add(withTemplate(c, templates));
        }
    }

    private static JsonNode withTemplate(JsonNode c, Map<String, JsonNode> templates) {
        if (!c.has("base")) return c;
        JsonNode t = templates.get(c.get("base").asText());
        if (t == null) throw new IllegalArgumentException("unknown template " + c.get("base") + " in " + c.get("name"));
        ObjectNode merged = t.deepCopy();
        c.fields().forEachRemaining(e -> {
            JsonNode old = merged.get(e.getKey());
            if (old != null && old.isObject() && e.getValue().isObject()) {
                ObjectNode m = old.deepCopy();
                e.getValue().fields().forEachRemaining(f -> {
                    JsonNode o2 = m.get(f.getKey());
                    if (o2 != null && o2.isObject() && f.getValue().isObject()) {
                        ObjectNode mm = o2.deepCopy();
                        mm.setAll((ObjectNode) f.getValue());
                        m.set(f.getKey(), mm);
                    } else {
                        m.set(f.getKey(), f.getValue());
                    }
                });
                merged.set(e.getKey(), m);
            } else {
                merged.set(e.getKey(), e.getValue());
            }
        });
        return merged;
    }

    @TestFactory
    Stream<DynamicTest> bundledRuleCases() {
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> run(c)));
    }

    @Test
    void everyBundledRuleHasAPositiveCaseAndANearMiss() {
        Set<String> positive = new TreeSet<>();
        Set<String> nearMiss = new TreeSet<>();
        for (JsonNode c : cases) {
            if (c.has("expect") && c.get("expect").has("rule")) positive.add(c.get("expect").get("rule").asText());
            if (c.has("nearMissOf")) nearMiss.add(c.get("nearMissOf").asText());
        }
        List<String> missing = new ArrayList<>();
        for (String id : KnowledgeBase.bundled().ruleIds()) {
            if (!positive.contains(id)) missing.add(id + " (positive)");
            if (!nearMiss.contains(id)) missing.add(id + " (near miss)");
        }
        assertTrue(missing.isEmpty(), "rules without table cases: " + missing);
        Set<String> unknown = new TreeSet<>(positive);
        unknown.addAll(nearMiss);
        unknown.removeAll(KnowledgeBase.bundled().ruleIds());
        assertTrue(unknown.isEmpty(), "cases name rules that do not exist: " + unknown);
    }

    @Test
    void everyBuiltInIncidentTypeHasRulesAndAFallback() {
        KnowledgeBase kb = KnowledgeBase.bundled();
        for (String type : IncidentTypes.BUILT_IN) {
            List<Rule> rules = kb.candidates(type).stream().filter(r -> r.types().contains(type)).toList();
            assertFalse(rules.isEmpty(), "no rule names incident type " + type);
            assertTrue(rules.stream().anyMatch(r -> r.when().isEmpty() || r.priority() <= 0),
                    "no fallback rule for " + type);
        }
        // An incident type nobody wrote rules for still gets an answer.
        assertTrue(kb.coveredTypes().contains("*"));
    }

    private static void run(JsonNode c) {
        AnalysisRequest request = request(c);
        AnalysisOutcome outcome = analyzer.analyze(request);
        Diagnosis d = assertInstanceOf(AnalysisOutcome.Diagnosed.class, outcome, () -> "outcome: " + outcome).diagnosis();
        String rule = d.attributes().get("rule");
        String context = "\nrule: " + rule + "\nroot cause: " + d.rootCause() + "\nreasoning: " + d.reasoning()
                + "\nactions: " + d.actions();
        assertEquals("rules", d.analyzerId());
        for (ProposedAction a : d.actions()) {
            // The blast radius and the catalog hold for every rule, whatever the table expects.
            assertTrue(request.incident().involves(a.target()), "target outside the incident: " + a + context);
            assertTrue(request.actionAvailable(a.actionType()), "unavailable action: " + a + context);
        }
        // A bundled rule sends only parameters its action declares: a name the schema does not know would be
        // dropped and the action would run on its defaults instead of what the rule meant.
        assertNull(d.attributes().get("droppedParameters"), "parameters unknown to the action" + context);
        assertFalse(d.rootCause().isBlank(), "empty root cause" + context);
        assertFalse(d.reasoning().isBlank(), "empty reasoning" + context);
        if (c.has("nearMissOf")) {
            assertNotEquals(c.get("nearMissOf").asText(), rule, "near miss selected the rule" + context);
        }
        JsonNode e = c.get("expect");
        if (e == null) return;
        if (e.has("rule")) assertEquals(e.get("rule").asText(), rule, "rule" + context);
        if (e.has("category")) assertEquals(e.get("category").asText(), d.category(), "category" + context);
        if (e.has("actions")) {
            List<String> expected = new ArrayList<>();
            e.get("actions").forEach(a -> expected.add(a.asText()));
            List<String> actual = d.actions().stream().map(a -> a.actionType() + " " + a.target().key()).toList();
            assertEquals(expected, actual, "actions" + context);
        }
        if (e.has("rootCause")) {
            for (JsonNode s : e.get("rootCause")) {
                assertTrue(d.rootCause().contains(s.asText()), "root cause lacks '" + s.asText() + "'" + context);
            }
        }
        if (e.has("reasoning")) {
            for (JsonNode s : e.get("reasoning")) {
                assertTrue(d.reasoning().contains(s.asText()), "reasoning lacks '" + s.asText() + "'" + context);
            }
        }
        assertFalse(d.rootCause().contains("{{") || d.rootCause().contains("[["), "unrendered template" + context);
        if (e.has("params")) {
            e.get("params").fields().forEachRemaining(p -> {
                ProposedAction a = d.actions().stream().filter(x -> x.actionType().equals(p.getKey())).findFirst()
                        .orElseThrow(() -> new AssertionError("no action " + p.getKey() + context));
                Map<String, Object> expected = YAML.convertValue(p.getValue(), Map.class);
                assertEquals(normalize(expected), normalize(a.parameters()), "parameters of " + p.getKey() + context);
            });
        }
        if (e.has("minConfidence")) {
            assertTrue(d.confidence() >= e.get("minConfidence").asDouble(), "confidence " + d.confidence() + context);
        }
        if (e.has("maxConfidence")) {
            assertTrue(d.confidence() <= e.get("maxConfidence").asDouble(), "confidence " + d.confidence() + context);
        }
        if (e.has("actionConfidence")) {
            e.get("actionConfidence").fields().forEachRemaining(p -> {
                ProposedAction a = d.actions().stream().filter(x -> x.actionType().equals(p.getKey())).findFirst()
                        .orElseThrow(() -> new AssertionError("no action " + p.getKey() + context));
                assertEquals(p.getValue().asDouble(), a.confidence(), 1e-9, "confidence of " + p.getKey() + context);
            });
        }
        if (!e.has("actions") && !e.has("rule")) fail("case expects nothing: " + c.get("name"));
    }

    private static Map<String, String> normalize(Map<String, Object> m) {
        Map<String, String> out = new LinkedHashMap<>();
        new TreeSet<>(m.keySet()).forEach(k -> out.put(k, String.valueOf(m.get(k))));
        return out;
    }

    static AnalysisRequest request(JsonNode c) {
        String type = c.get("type").asText();
        TestIncidents.Builder b = TestIncidents.incident(type, c.get("root").asText());
        if (c.has("resources")) c.get("resources").forEach(r -> b.resource(r.asText()));
        List<JsonNode> findings = new ArrayList<>();
        if (c.has("finding")) findings.add(c.get("finding"));
        if (c.has("findings")) c.get("findings").forEach(findings::add);
        String firstPod = null;
        if (c.has("resources")) {
            for (JsonNode r : c.get("resources")) {
                if (firstPod == null && r.asText().startsWith("Pod/")) firstPod = r.asText();
            }
        }
        if (firstPod == null && c.get("root").asText().startsWith("Pod/")) firstPod = c.get("root").asText();
        String findingResource = null;
        String container = "app";
        for (JsonNode f : findings) {
            String res = f.has("resource") ? f.get("resource").asText() : firstPod != null ? firstPod : c.get("root").asText();
            if (findingResource == null) findingResource = res;
            Map<String, String> facts = strings(f.get("facts"));
            if (facts.containsKey("container") && container.equals("app")) container = facts.get("container");
            b.finding(res, f.has("message") ? f.get("message").asText() : "", facts);
        }
        b.facts(strings(c.get("facts")));
        if (c.has("events")) {
            for (JsonNode ev : c.get("events")) {
                if (ev.isTextual()) {
                    String s = ev.asText();
                    int colon = s.indexOf(':');
                    b.event("Warning", s.substring(0, colon).trim(), s.substring(colon + 1).trim(), 1);
                } else {
                    b.event(ev.has("type") ? ev.get("type").asText() : "Warning", ev.get("reason").asText(),
                            ev.has("message") ? ev.get("message").asText() : "", ev.has("count") ? ev.get("count").asInt() : 1);
                }
            }
        }
        if (c.has("logs")) {
            List<String> lines = new ArrayList<>();
            c.get("logs").forEach(l -> lines.add(l.asText()));
            String pod = firstPod != null ? firstPod : findingResource != null ? findingResource : c.get("root").asText();
            b.log(pod, container, true, lines);
        }
        if (c.has("rollout")) {
            for (JsonNode r : c.get("rollout")) {
                b.revision(r.get("revision").asLong(), r.get("image").asText(),
                        r.has("minutesAgo") ? r.get("minutesAgo").asLong() : null,
                        r.has("ready") ? r.get("ready").asInt() : 0, r.has("current") && r.get("current").asBoolean());
            }
        }
        if (c.has("knowledge")) c.get("knowledge").forEach(k -> b.knowledge(k.asText()));
        if (c.has("available")) {
            Set<String> ids = new TreeSet<>();
            c.get("available").forEach(a -> ids.add(a.asText()));
            List<ActionDescriptor> available = TestIncidents.builtInActions().stream().filter(d -> ids.contains(d.id())).toList();
            b.actions(available);
        }
        return b.request();
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null) return out;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }
}

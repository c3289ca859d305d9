package io.kubeincident.api;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConfigKeysTest {

    private final ConfigKeys keys = ConfigKeys.builder()
            .text("remediation.mode")
            .bool("remediation.enable_pod_restart")
            .integer("safety.max_replicas")
            .number("monitoring.confidence_threshold")
            .duration("monitoring.scan_interval", "safety.change_freeze.*.duration")
            .list("monitoring.namespaces")
            .text("llm.prompts.**")
            .build();

    @Test
    void aMisspelledKeyNamesTheNearestKnownOne() {
        List<String> problems = keys.check(ConfigView.of(Map.of("remediation.mdoe", "dry-run")));
        assertEquals(List.of("remediation.mdoe: unknown key (did you mean remediation.mode?)"), problems);
    }

    @Test
    void valuesOfTheWrongKindAreProblems() {
        List<String> problems = keys.check(ConfigView.of(Map.of(
                "remediation.enable_pod_restart", "maybe",
                "safety.max_replicas", "many",
                "monitoring.confidence_threshold", "high",
                "monitoring.scan_interval", "soon")));
        assertEquals(List.of("monitoring.confidence_threshold: not a number: high",
                "monitoring.scan_interval: not a duration: soon",
                "remediation.enable_pod_restart: not a boolean: maybe",
                "safety.max_replicas: not an integer: many"), problems);
    }

    @Test
    void wellFormedValuesBlanksAndPatternsPass() {
        assertEquals(List.of(), keys.check(ConfigView.of(Map.of(
                "remediation.enable_pod_restart", "yes",
                "safety.max_replicas", "12",
                "monitoring.scan_interval", "",
                "monitoring.namespaces", "a,b",
                "safety.change_freeze.friday.duration", "8h",
                "llm.prompts.crash-loop", "text",
                "llm.prompts.a.b", "deeper"))));
    }

    @Test
    void oneSegmentWildcardsMatchExactlyOneSegment() {
        assertEquals(Optional.empty(), keys.typeOf("safety.change_freeze.duration"));
        assertEquals(Optional.empty(), keys.typeOf("safety.change_freeze.a.b.duration"));
        assertEquals(Optional.empty(), keys.typeOf("llm.prompts"));
        assertEquals(Optional.of(ConfigKeys.Type.DURATION), keys.typeOf("safety.change_freeze.x.duration"));
        assertEquals(1, keys.check(ConfigView.of(Map.of("safety.change_freeze.duration", "1h"))).size());
    }

    @Test
    void unionAcceptsTheKeysOfEveryPart() {
        ConfigKeys other = ConfigKeys.builder().bool("argocd.enabled").build();
        ConfigKeys all = ConfigKeys.union(List.of(keys, other));
        assertEquals(List.of(), all.check(ConfigView.of(Map.of("argocd.enabled", "false", "remediation.mode", "auto"))));
        assertEquals(1, keys.check(ConfigView.of(Map.of("argocd.enabled", "false"))).size());
    }

    @Test
    void blankKeysCannotBeDeclared() {
        assertThrows(IllegalArgumentException.class, () -> ConfigKeys.builder().text(" "));
        assertThrows(IllegalArgumentException.class, () -> ConfigKeys.builder().text("llm."));
    }

    @Test
    void durationsPrintTheWayTheyAreWritten() {
        assertEquals("-5s", ConfigView.formatDuration(Duration.ofSeconds(-5)));
        assertEquals("500ms", ConfigView.formatDuration(Duration.ofMillis(500)));
        assertEquals("1h30m", ConfigView.formatDuration(Duration.ofMinutes(90)));
        assertEquals("0s", ConfigView.formatDuration(Duration.ZERO));
        assertEquals("2d", ConfigView.formatDuration(Duration.ofDays(2)));
    }
}

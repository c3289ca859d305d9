package io.kubeincident.core.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineConfigTest {

    @Test
    void defaultsFollowTheDesign() {
        EngineConfig c = EngineConfig.defaults();
        assertEquals(0.8, c.confidenceThreshold());
        assertEquals(0.6, c.approvalThreshold());
        assertEquals(Mode.AUTO, c.mode());
        assertEquals(Duration.ofSeconds(30), c.scanInterval());
        assertTrue(c.excluded("kube-system") && c.excluded("kube-public") && c.excluded("kube-node-lease"));
    }

    @Test
    void readsTheSeedKeysFromYaml() {
        MapConfig raw = ConfigLoader.fromYaml("""
                monitoring:
                  scan_interval: 10
                  confidence_threshold: 0.9
                remediation:
                  mode: dry-run
                  enable_pod_restart: true
                safety:
                  excluded_namespaces: [kube-system, payments]
                runtime:
                  namespace: kube-incident
                """, "test.yaml");
        EngineConfig c = EngineConfig.from(raw);
        assertEquals(Duration.ofSeconds(10), c.scanInterval());
        assertEquals(0.9, c.confidenceThreshold());
        assertEquals(Mode.DRY_RUN, c.mode());
        assertTrue(c.excluded("payments"));
        assertTrue(c.excluded("kube-incident"), "the runtime's own namespace is always excluded");
        assertEquals("true", raw.get("remediation.enable_pod_restart").orElseThrow());
    }

    @Test
    void invalidConfigurationListsEveryProblemAtOnce() {
        ConfigException e = assertThrows(ConfigException.class, () -> EngineConfig.from(new MapConfig(Map.of(
                "monitoring.scan_interval", "soon",
                "monitoring.confidence_threshold", "1.7",
                "remediation.mode", "yolo",
                "analysis.concurrency", "0"))));
        assertEquals(4, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("monitoring.scan_interval"));
        assertTrue(e.getMessage().contains("monitoring.confidence_threshold"));
        assertTrue(e.getMessage().contains("remediation.mode"));
        assertTrue(e.getMessage().contains("analysis.concurrency"));
    }

    @Test
    void approvalThresholdAboveExecutionThresholdIsRejected() {
        ConfigException e = assertThrows(ConfigException.class, () -> EngineConfig.from(new MapConfig(Map.of(
                "monitoring.confidence_threshold", "0.5", "monitoring.approval_threshold", "0.7"))));
        assertTrue(e.getMessage().contains("approval_threshold"));
    }

    @Test
    void malformedYamlNamesTheSource() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.fromYaml("monitoring: [unclosed", "bad.yaml"));
        assertTrue(e.getMessage().contains("bad.yaml"), e.getMessage());
        ConfigException scalar = assertThrows(ConfigException.class, () -> ConfigLoader.fromYaml("just text", "s.yaml"));
        assertTrue(scalar.getMessage().contains("mapping"), scalar.getMessage());
    }

    @Test
    void environmentOverridesUseDoubleUnderscoreForDots() {
        Map<String, String> env = ConfigLoader.fromEnvironment(Map.of(
                "KUBE_INCIDENT_MONITORING__SCAN_INTERVAL", "5", "PATH", "/bin"));
        assertEquals(Map.of("monitoring.scan_interval", "5"), env);
        MapConfig merged = new MapConfig(Map.of("monitoring.scan_interval", "30")).with(env);
        assertEquals(Duration.ofSeconds(5), EngineConfig.from(merged).scanInterval());
    }

    @Test
    void durationsAcceptUnits() {
        MapConfig c = new MapConfig(Map.of("a", "500ms", "b", "5m", "c", "PT2H", "d", "1.5"));
        assertEquals(Duration.ofMillis(500), c.getDuration("a", null));
        assertEquals(Duration.ofMinutes(5), c.getDuration("b", null));
        assertEquals(Duration.ofHours(2), c.getDuration("c", null));
        assertEquals(Duration.ofMillis(1500), c.getDuration("d", null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MapConfig(Map.of("x", "5 parsecs")).getDuration("x", null));
        assertTrue(e.getMessage().startsWith("x:"), e.getMessage());
    }
}

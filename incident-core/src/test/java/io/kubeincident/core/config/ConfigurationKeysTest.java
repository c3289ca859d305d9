package io.kubeincident.core.config;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ConfigKeys;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.AnalyzerProvider;
import io.kubeincident.spi.DeclaresConfiguration;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The builder refuses a configuration with a key nobody reads or a value of the wrong kind, listing every
 * problem at once; keys declared by the host, a provider or a hand-added action are accepted.
 */
class ConfigurationKeysTest {

    private static IncidentEngine build(Map<String, String> config) {
        return IncidentEngine.builder().discovery(false).logAudit(false).config(config).build();
    }

    @Test
    void aMisspelledModeIsRefusedInsteadOfRunningInAuto() {
        ConfigException e = assertThrows(ConfigException.class, () -> build(Map.of("remediation.mdoe", "dry-run")));
        assertEquals(List.of("remediation.mdoe: unknown key (did you mean remediation.mode?)"), e.problems());
    }

    @Test
    void aSwitchThatIsNotABooleanIsRefused() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> build(Map.of("remediation.enable_pod_restart", "maybe")));
        assertEquals(List.of("remediation.enable_pod_restart: not a boolean: maybe"), e.problems());
    }

    /** A misspelt switch must not leave the action it meant to switch off running. */
    @Test
    void aSwitchNoActionReadsIsRefusedWithTheNearestOne() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> build(Map.of("remediation.enable_pod_restrat", "false")));
        assertEquals(List.of("remediation.enable_pod_restrat: unknown key (did you mean remediation.enable_pod_restart?)"),
                e.problems());
    }

    @Test
    void everyProblemOfEverySectionIsListedAtOnce() {
        ConfigException e = assertThrows(ConfigException.class, () -> build(Map.of(
                "monitoring.scan_intervall", "30",
                "safety.max_replicas", "lots",
                "detection.oom_windw", "1h",
                "verification.windows", "5m",
                "monitoring.confidence_threshold", "1.7",
                "llm.model", "gpt-4o")));
        List<String> p = e.problems();
        assertTrue(p.contains("monitoring.scan_intervall: unknown key (did you mean monitoring.scan_interval?)"), p.toString());
        assertTrue(p.contains("detection.oom_windw: unknown key (did you mean detection.oom_window?)"), p.toString());
        assertTrue(p.contains("verification.windows: unknown key (did you mean verification.window?)"), p.toString());
        assertTrue(p.contains("safety.max_replicas: not an integer: lots"), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("llm.model: unknown key (nothing reads llm.*; known sections: alerting,")),
                "no provider declares llm.* here: " + p);
        assertTrue(p.stream().anyMatch(s -> s.startsWith("monitoring.confidence_threshold")), p.toString());
        assertEquals(p.size(), Set.copyOf(p).size(), "each problem once: " + p);
        assertEquals(6, p.size(), p.toString());
    }

    @Test
    void negativeDurationsAreReportedAsWritten() {
        ConfigException e = assertThrows(ConfigException.class, () -> build(Map.of("monitoring.scan_interval", "-5s")));
        assertEquals(List.of("monitoring.scan_interval: must be > 0, was -5s"), e.problems());
    }

    @Test
    void hostProviderAndActionKeysAreKnown() {
        AnalyzerProvider declaring = new DeclaringProvider();
        try (IncidentEngine engine = IncidentEngine.builder().discovery(false).logAudit(false)
                .hostConfigKeys(ConfigKeys.builder().integer("http.port").build())
                .addAnalyzerProvider(declaring)
                .addAction(new SwitchedAction())
                .config(Map.of("http.port", "8080", "acme.model", "m1", "remediation.enable_acme", "false",
                        "remediation.mode", "dry-run"))
                .build()) {
            assertEquals(Mode.DRY_RUN, engine.config().mode());
        }
        ConfigException e = assertThrows(ConfigException.class, () -> IncidentEngine.builder().discovery(false)
                .logAudit(false).addAnalyzerProvider(declaring).config(Map.of("http.port", "80", "acme.modle", "m1"))
                .build());
        assertEquals(2, e.problems().size(), e.problems().toString());
        assertEquals("acme.modle: unknown key (did you mean acme.model?)", e.problems().get(0));
        assertTrue(e.problems().get(1).startsWith("http.port: unknown key"), "not the host's key here: " + e.problems());
    }

    @Test
    void kubernetesServiceLinksInTheEnvironmentAreNotConfiguration() {
        Map<String, String> keys = ConfigLoader.fromEnvironment(Map.of(
                "KUBE_INCIDENT_RESPONDER_SERVICE_HOST", "10.0.0.1",
                "KUBE_INCIDENT_RESPONDER_PORT_8080_TCP", "tcp://10.0.0.1:8080",
                "KUBE_INCIDENT_REMEDIATION__MODE", "dry-run"));
        assertEquals(Map.of("remediation.mode", "dry-run"), keys);
    }

    @Test
    void theEngineDeclaresEveryBuiltInActionSwitch() {
        for (String key : EngineKeys.ENABLE_SWITCHES) {
            assertEquals(ConfigKeys.Type.BOOLEAN, EngineKeys.ALL.typeOf("remediation." + key).orElseThrow(), key);
        }
    }

    /** A third-party analyzer provider that reads acme.model. */
    static final class DeclaringProvider implements AnalyzerProvider, DeclaresConfiguration {
        @Override
        public ConfigKeys configKeys() {
            return ConfigKeys.builder().text("acme.model").build();
        }

        @Override
        public boolean enabled(ProviderContext context) {
            return false;
        }

        @Override
        public Analyzer create(ProviderContext context) {
            throw new AssertionError("disabled");
        }
    }

    /** A hand-added action whose switch is remediation.enable_acme. */
    static final class SwitchedAction implements RemediationAction {
        @Override
        public String id() {
            return "acme-fix";
        }

        @Override
        public String description() {
            return "test";
        }

        @Override
        public Set<String> targetKinds() {
            return Set.of("Pod");
        }

        @Override
        public Map<String, Object> parametersSchema() {
            return Map.of("type", "object", "properties", Map.of(), "additionalProperties", false);
        }

        @Override
        public String enableKey() {
            return "enable_acme";
        }

        @Override
        public ActionResult execute(ActionRequest request, ActionContext context) {
            return ActionResult.skipped("test");
        }
    }
}

package io.kubeincident.responder;

import io.kubeincident.core.access.EngineRbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.config.ConfigLoader;
import io.kubeincident.core.config.MapConfig;
import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.spi.RemediationAction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deployed ClusterRole is exactly what the enabled actions and watched kinds need: derived from the
 * action registry with the deployed configuration, compared with deploy/rbac.yaml.
 */
class RbacTest {
    private static final Path DEPLOY = Path.of("deploy");
    private static List<JsonNode> rbacDocs;
    private static MapConfig deployedConfig;

    @BeforeAll
    static void readManifests() throws IOException {
        rbacDocs = yamlDocs(DEPLOY.resolve("rbac.yaml"));
        JsonNode cm = yamlDocs(DEPLOY.resolve("configmap.yaml")).get(0);
        deployedConfig = ConfigLoader.fromYaml(cm.at("/data/config.yaml").asText(), "configmap config.yaml");
    }

    static List<JsonNode> yamlDocs(Path file) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser p = new YAMLFactory().createParser(Files.readString(file))) {
            var it = yaml.readValues(p, JsonNode.class);
            while (it.hasNext()) docs.add(it.next());
        }
        return docs;
    }

    private static JsonNode doc(String kind) {
        return rbacDocs.stream().filter(d -> kind.equals(d.path("kind").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " in deploy/rbac.yaml"));
    }

    private static Map<EngineRbac.Resource, Set<String>> rules(JsonNode role) {
        Map<EngineRbac.Resource, Set<String>> out = new TreeMap<>();
        for (JsonNode rule : role.path("rules")) {
            for (JsonNode g : rule.path("apiGroups")) {
                for (JsonNode r : rule.path("resources")) {
                    Set<String> verbs = out.computeIfAbsent(new EngineRbac.Resource(g.asText(), r.asText()), k -> new TreeSet<>());
                    rule.path("verbs").forEach(v -> verbs.add(v.asText()));
                }
            }
        }
        return out;
    }

    private static IncidentEngine deployedEngine() {
        ResponderConfig cfg = new ResponderConfig(deployedConfig.with(Map.of("audit.file", "")), null, null);
        return EngineFactory.build(cfg, null, b -> b.logAudit(false));
    }

    @Test
    void clusterRoleIsExactlyWhatTheEnabledActionsAndWatchedKindsNeed() {
        try (IncidentEngine engine = deployedEngine()) {
            Map<EngineRbac.Resource, Set<String>> required = EngineRbac.clusterRules(engine, deployedConfig);
            Map<EngineRbac.Resource, Set<String>> granted = rules(doc("ClusterRole"));
            assertEquals(required, granted, "deploy/rbac.yaml ClusterRole vs `responder rbac`:\n"
                    + EngineRbac.yaml(required, EngineRbac.namespaceRules(), "kube-incident-responder", "kube-incident"));
        }
    }

    @Test
    void everyEnabledActionPermissionIsGrantedAndDisabledOnesAddNothing() {
        try (IncidentEngine engine = deployedEngine()) {
            Map<EngineRbac.Resource, Set<String>> granted = rules(doc("ClusterRole"));
            List<RemediationAction> enabled = EngineRbac.enabledActions(engine, deployedConfig);
            assertFalse(enabled.isEmpty(), "the deployed configuration enables actions");
            for (RemediationAction a : enabled) {
                a.permissions().forEach(p -> assertTrue(
                        granted.getOrDefault(new EngineRbac.Resource(p.apiGroup(), p.resource()), Set.of()).contains(p.verb()),
                        a.id() + " needs " + p));
            }
            assertTrue(enabled.stream().anyMatch(a -> a.id().equals("restart-pod")), "restart-pod is enabled");
        }
    }

    @Test
    void neverSecretsNeverWildcards() {
        for (JsonNode d : rbacDocs) {
            for (JsonNode rule : d.path("rules")) {
                rule.path("resources").forEach(r -> assertFalse(r.asText().startsWith("secrets"), "no Secrets: " + d));
                rule.path("resources").forEach(r -> assertFalse(r.asText().contains("*"), "no wildcard resource"));
                rule.path("verbs").forEach(v -> assertFalse(v.asText().contains("*"), "no wildcard verb"));
                rule.path("apiGroups").forEach(g -> assertFalse(g.asText().contains("*"), "no wildcard group"));
            }
        }
    }

    @Test
    void leasesOnlyInTheOwnNamespace() {
        JsonNode role = doc("Role");
        assertEquals("kube-incident", role.at("/metadata/namespace").asText());
        assertEquals(EngineRbac.namespaceRules(), rules(role));
        assertFalse(rules(doc("ClusterRole")).keySet().stream().anyMatch(r -> r.resource().equals("leases")),
                "no cluster-wide lease access");
    }

    @Test
    void disablingAnActionRemovesItsVerbs() {
        MapConfig noRestart = deployedConfig.with(Map.of("remediation.enable_pod_restart", "false", "audit.file", ""));
        try (IncidentEngine engine = EngineFactory.build(new ResponderConfig(noRestart, null, null), null,
                b -> b.logAudit(false))) {
            Set<String> podVerbs = EngineRbac.clusterRules(engine, noRestart).get(new EngineRbac.Resource("", "pods"));
            assertFalse(podVerbs.contains("delete"), "pods delete only for restart-pod: " + podVerbs);
        }
    }

    @Test
    void rbacCommandPrintsTheSameRules() throws IOException {
        Path cfg = Files.createTempFile("config", ".yaml");
        try {
            Files.writeString(cfg, yamlDocs(DEPLOY.resolve("configmap.yaml")).get(0).at("/data/config.yaml").asText());
            Cli r = Cli.run("rbac", "--config", cfg.toString());
            assertEquals(ExitCodes.OK, r.exitCode(), r.err());
            JsonNode printed = new ObjectMapper(new YAMLFactory()).readTree(r.out().split("---")[0]);
            assertEquals(rules(doc("ClusterRole")), rules(printed));
        } finally {
            Files.deleteIfExists(cfg);
        }
    }

}

package io.kubeincident.responder;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.config.ConfigLoader;
import io.kubeincident.core.config.MapConfig;
import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.responder.demo.DemoCluster;
import org.junit.jupiter.api.Test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deployed ClusterRole is enough for what the engine really does: the demo's four incidents are
 * scanned, then handled for a few sweeps (detection, evidence, analysis, a rollback, verification) with the
 * deployed configuration, and every request the loopback API server saw is mapped to its RBAC verb and
 * resource and checked against deploy/rbac.yaml.
 */
class RbacCoverageTest {
    /** The responder's deploy manifests, beside this module. */
    private static final Path DEPLOY = Path.of("../responder/deploy");

    static List<JsonNode> yamlDocs(Path file) throws java.io.IOException {
        com.fasterxml.jackson.databind.ObjectMapper yaml = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        List<JsonNode> docs = new java.util.ArrayList<>();
        try (var p = new com.fasterxml.jackson.dataformat.yaml.YAMLFactory().createParser(java.nio.file.Files.readString(file))) {
            var it = yaml.readValues(p, JsonNode.class);
            while (it.hasNext()) docs.add(it.next());
        }
        return docs;
    }


    record Access(String group, String resource, String verb, String namespace) {
        @Override
        public String toString() {
            return verb + " " + (group.isEmpty() ? "" : group + "/") + resource + (namespace == null ? "" : " in " + namespace);
        }
    }

    @Test
    void everyRequestTheEngineMakesIsGranted() throws Exception {
        List<JsonNode> rbac = yamlDocs(DEPLOY.resolve("rbac.yaml"));
        JsonNode cm = yamlDocs(DEPLOY.resolve("configmap.yaml")).get(0);
        MapConfig deployed = ConfigLoader.fromYaml(cm.at("/data/config.yaml").asText(), "configmap");
        ResponderConfig config = new ResponderConfig(deployed.with(Map.of("audit.file", "")), null, null);

        List<String> requests;
        try (DemoCluster cluster = DemoCluster.start(false)) {
            cluster.clearRequestLog();
            try (IncidentEngine engine = EngineFactory.build(config, cluster.apiClient(), b -> b.logAudit(false))) {
                engine.scan();
                for (int i = 0; i < 3; i++) engine.runOnce();
            }
            requests = cluster.requestLog();
        }
        assertFalse(requests.isEmpty());
        assertTrue(requests.stream().anyMatch(r -> r.startsWith("PATCH ") || r.startsWith("PUT ")),
                "the engine acted (a rollback), so writes are covered too: " + requests);

        Set<String> denied = new TreeSet<>();
        for (String request : requests) {
            Access a = access(request);
            if (a == null) continue;  // discovery
            if (!granted(rbac, a)) denied.add(a + "   (" + request + ")");
        }
        assertTrue(denied.isEmpty(), "requests deploy/rbac.yaml does not grant:\n" + String.join("\n", denied));
    }

    private static boolean granted(List<JsonNode> docs, Access a) {
        for (JsonNode d : docs) {
            String kind = d.path("kind").asText();
            boolean cluster = kind.equals("ClusterRole");
            boolean role = kind.equals("Role") && a.namespace() != null
                    && a.namespace().equals(d.at("/metadata/namespace").asText());
            if (!cluster && !role) continue;
            for (JsonNode rule : d.path("rules")) {
                if (contains(rule.path("apiGroups"), a.group()) && contains(rule.path("resources"), a.resource())
                        && contains(rule.path("verbs"), a.verb())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode n : array) if (n.asText().equals(value)) return true;
        return false;
    }

    /** "METHOD /path?query" → the RBAC access it needs; null for discovery. */
    static Access access(String request) {
        String method = request.substring(0, request.indexOf(' '));
        String raw = request.substring(request.indexOf(' ') + 1);
        String path = raw.contains("?") ? raw.substring(0, raw.indexOf('?')) : raw;
        String query = raw.contains("?") ? URLDecoder.decode(raw.substring(raw.indexOf('?') + 1), StandardCharsets.UTF_8) : "";
        List<String> seg = new ArrayList<>(List.of(path.replaceAll("^/+", "").split("/")));
        String group;
        List<String> rest;
        if (seg.size() >= 2 && seg.get(0).equals("api")) {
            group = "";
            rest = seg.subList(2, seg.size());
        } else if (seg.size() >= 3 && seg.get(0).equals("apis")) {
            group = seg.get(1);
            rest = seg.subList(3, seg.size());
        } else {
            return null;
        }
        if (rest.isEmpty()) return null;
        String namespace = null;
        if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
            namespace = rest.get(1);
            rest = rest.subList(2, rest.size());
        }
        String resource = rest.get(0);
        String name = rest.size() > 1 ? rest.get(1) : null;
        if (rest.size() > 2) resource = resource + "/" + rest.get(2);
        if (resource.equals("namespaces") && namespace == null && rest.size() == 2) name = rest.get(1);
        String verb = switch (method) {
            case "GET" -> name != null ? "get" : query.contains("watch=true") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name != null ? "delete" : "deletecollection";
            default -> method.toLowerCase();
        };
        return new Access(group, resource, verb, namespace);
    }
}

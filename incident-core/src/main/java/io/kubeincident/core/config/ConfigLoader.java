package io.kubeincident.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads configuration: YAML documents flattened to dotted keys ({@code monitoring: {scan_interval: 30}}
 * becomes {@code monitoring.scan_interval=30}; sequences of scalars become comma-separated values), and
 * environment overrides ({@code KUBE_INCIDENT_MONITORING__SCAN_INTERVAL=10}: prefix, then the key with
 * {@code .} written as {@code __}; variables without {@code __} are not configuration).
 */
public final class ConfigLoader {
    public static final String ENV_PREFIX = "KUBE_INCIDENT_";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {
    }

    public static MapConfig fromYaml(Path file) {
        try {
            return fromYaml(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new ConfigException(List.of("cannot read configuration file " + file + ": " + e.getMessage()));
        }
    }

    public static MapConfig fromYaml(String yaml, String sourceName) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new ConfigException(List.of(sourceName + ": not valid YAML: " + firstLine(e.getMessage())));
        }
        Map<String, String> flat = new LinkedHashMap<>();
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new ConfigException(List.of(sourceName + ": the top level must be a mapping of keys"));
            }
            flatten("", root, flat);
        }
        return new MapConfig(flat);
    }

    /**
     * Environment variables starting with {@link #ENV_PREFIX} and naming a dotted key, as dotted lower-case
     * keys. {@code KUBE_INCIDENT_RESPONDER_SERVICE_HOST} (a Service link) is not one.
     */
    public static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        env.forEach((k, v) -> {
            // Only variables that name a dotted key ("__"): Kubernetes injects KUBE_INCIDENT_RESPONDER_SERVICE_HOST
            // and the like for a Service of that name, and those are not configuration.
            if (k.startsWith(ENV_PREFIX) && k.length() > ENV_PREFIX.length() && k.indexOf("__", ENV_PREFIX.length()) > 0) {
                String key = k.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace("__", ".");
                out.put(key, v);
            }
        });
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (node.isArray()) {
            boolean scalars = true;
            for (JsonNode n : node) scalars &= n.isValueNode();
            if (scalars) {
                List<String> items = new ArrayList<>();
                for (JsonNode n : node) items.add(n.asText());
                out.put(prefix, String.join(",", items));
            } else {
                // Lists of mappings (runbooks, freeze windows) stay as JSON for the provider that owns the key.
                out.put(prefix, node.toString());
            }
        } else if (!node.isNull()) {
            out.put(prefix, node.asText());
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }
}

package io.kubeincident.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Ids;
import io.kubeincident.api.Incident;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Operator-written runbook snippets, matched to an incident by type, namespace and labels of its root
 * object, and given to the model as knowledge lines. Read from a YAML file ({@code llm.runbooks_file}) and
 * from keys ({@code llm.runbooks.<name>.text}, {@code .incident_types}, {@code .namespaces},
 * {@code .labels} as {@code key=value,...}); a key-defined runbook replaces a file one of the same name.
 *
 * <pre>{@code
 * runbooks:
 *   - name: web-needs-db
 *     incident_types: [crash-loop]
 *     namespaces: [shop]
 *     labels: {app: web}
 *     text: web needs db.shop.svc before it starts; when the database is down, restarting web does not help.
 * }</pre>
 *
 * Every given criterion must hold (none given: always). Immutable and thread-safe.
 */
public final class Runbooks {

    /** A snippet longer than this is cut: a runbook line is a hint, not a document. */
    static final int MAX_TEXT_CHARS = 1500;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, Class<? extends KubernetesObject>> KINDS = Map.of(
            "Pod", V1Pod.class, "Deployment", V1Deployment.class, "StatefulSet", V1StatefulSet.class,
            "DaemonSet", V1DaemonSet.class, "ReplicaSet", V1ReplicaSet.class, "Job", V1Job.class,
            "Node", V1Node.class, "Service", V1Service.class);

    /** One snippet and where it applies. */
    public record Runbook(String name, Set<String> incidentTypes, Set<String> namespaces, Map<String, String> labels,
                          String text) {
        public Runbook {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("runbook name is required");
            incidentTypes = incidentTypes == null ? Set.of() : Set.copyOf(incidentTypes);
            namespaces = namespaces == null ? Set.of() : Set.copyOf(namespaces);
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            if (text == null || text.isBlank()) throw new IllegalArgumentException("runbook " + name + " has no text");
            text = text.strip();
            if (text.length() > MAX_TEXT_CHARS) text = text.substring(0, MAX_TEXT_CHARS) + "...";
        }
    }

    private static final Runbooks NONE = new Runbooks(List.of());

    private final List<Runbook> runbooks;

    public Runbooks(List<Runbook> runbooks) {
        this.runbooks = List.copyOf(runbooks);
    }

    public static Runbooks none() {
        return NONE;
    }

    public List<Runbook> all() {
        return runbooks;
    }

    /**
     * @throws OpenAiConfigException naming every file entry or key that is wrong
     */
    static Runbooks load(ConfigView llm) {
        List<String> problems = new ArrayList<>();
        Map<String, Runbook> byName = new LinkedHashMap<>();
        Optional<String> file = llm.get("runbooks_file").map(String::trim).filter(s -> !s.isEmpty());
        if (file.isPresent()) {
            try {
                for (Runbook r : parse(Files.readString(Path.of(file.get())), "llm.runbooks_file " + file.get(), problems)) {
                    byName.put(r.name(), r);
                }
            } catch (IOException e) {
                problems.add("llm.runbooks_file " + file.get() + " cannot be read: " + e.getClass().getSimpleName());
            }
        }
        ConfigView keys = llm.under("runbooks");
        Set<String> names = new TreeSet<>();
        for (String k : keys.keys()) {
            int dot = k.indexOf('.');
            if (dot > 0) names.add(k.substring(0, dot));
            else problems.add("llm.runbooks." + k + ": expected llm.runbooks.<name>.text (and optional "
                    + "incident_types, namespaces, labels)");
        }
        for (String name : names) {
            ConfigView r = keys.under(name);
            for (String k : r.keys()) {
                if (!Set.of("text", "incident_types", "namespaces", "labels").contains(k)) {
                    problems.add("llm.runbooks." + name + "." + k + " is not a runbook field");
                }
            }
            Map<String, String> labels = new LinkedHashMap<>();
            for (String pair : r.getList("labels", List.of())) {
                int eq = pair.indexOf('=');
                if (eq <= 0) problems.add("llm.runbooks." + name + ".labels: expected key=value, was " + pair);
                else labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
            List<String> types = r.getList("incident_types", List.of());
            for (String t : types) {
                if (!Ids.isKebab(t)) problems.add("llm.runbooks." + name + ".incident_types: not an incident type id: " + t);
            }
            try {
                byName.put(name, new Runbook(name, Set.copyOf(types), Set.copyOf(r.getList("namespaces", List.of())),
                        labels, r.getString("text", null)));
            } catch (IllegalArgumentException e) {
                problems.add("llm.runbooks." + name + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) throw new OpenAiConfigException(problems);
        return byName.isEmpty() ? NONE : new Runbooks(List.copyOf(byName.values()));
    }

    private static List<Runbook> parse(String yaml, String what, List<String> problems) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            problems.add(what + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
            return List.of();
        }
        if (root == null || root.isNull() || root.isMissingNode()) return List.of();
        JsonNode list = root.isArray() ? root : root.path("runbooks");
        if (!list.isArray()) {
            problems.add(what + ": expected a list under 'runbooks'");
            return List.of();
        }
        List<Runbook> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode n = list.get(i);
            String at = what + ": runbooks[" + i + "]";
            if (!n.isObject()) {
                problems.add(at + " is not a mapping");
                continue;
            }
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                if (!Set.of("name", "text", "incident_types", "namespaces", "labels").contains(e.getKey())) {
                    problems.add(at + ": unknown field " + e.getKey());
                }
            }
            Set<String> types = strings(n.get("incident_types"), at + ".incident_types", problems);
            for (String t : types) if (!Ids.isKebab(t)) problems.add(at + ".incident_types: not an incident type id: " + t);
            Map<String, String> labels = new LinkedHashMap<>();
            JsonNode l = n.get("labels");
            if (l != null && !l.isNull()) {
                if (!l.isObject()) problems.add(at + ".labels must be a mapping");
                else for (Map.Entry<String, JsonNode> e : l.properties()) labels.put(e.getKey(), e.getValue().asText());
            }
            try {
                out.add(new Runbook(n.path("name").asText("runbook-" + (i + 1)), types,
                        strings(n.get("namespaces"), at + ".namespaces", problems), labels,
                        n.path("text").isTextual() ? n.path("text").asText() : null));
            } catch (IllegalArgumentException e) {
                problems.add(at + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static Set<String> strings(JsonNode n, String at, List<String> problems) {
        if (n == null || n.isNull()) return Set.of();
        if (n.isTextual()) return Set.of(n.asText());
        if (!n.isArray()) {
            problems.add(at + " must be a list");
            return Set.of();
        }
        Set<String> out = new TreeSet<>();
        for (JsonNode v : n) out.add(v.asText());
        return out;
    }

    /** The snippets that apply to {@code incident}, as knowledge lines ({@code runbook <name>: <text>}). */
    public List<String> matching(Incident incident, ClusterView cluster) {
        if (runbooks.isEmpty()) return List.of();
        Map<String, String> labels = null;
        List<String> out = new ArrayList<>();
        for (Runbook r : runbooks) {
            if (!r.incidentTypes().isEmpty() && !r.incidentTypes().contains(incident.type())) continue;
            if (!r.namespaces().isEmpty() && !r.namespaces().contains(incident.namespace())) continue;
            if (!r.labels().isEmpty()) {
                if (labels == null) labels = labels(incident.rootResource(), cluster);
                if (!labels.entrySet().containsAll(r.labels().entrySet())) continue;
            }
            out.add("runbook " + r.name() + ": " + r.text().replaceAll("\\s*\\n\\s*", " "));
        }
        return out;
    }

    private static Map<String, String> labels(ResourceRef root, ClusterView cluster) {
        Class<? extends KubernetesObject> type = KINDS.get(root.kind());
        if (type == null || cluster == null) return Map.of();
        try {
            Optional<? extends KubernetesObject> o = cluster.get(type, root.namespace(), root.name());
            if (o.isEmpty() || o.get().getMetadata() == null || o.get().getMetadata().getLabels() == null) return Map.of();
            return o.get().getMetadata().getLabels();
        } catch (RuntimeException e) {
            // a view that cannot answer for this kind: label criteria simply do not match
            return Map.of();
        }
    }
}

package io.kubeincident.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Ids;
import io.kubeincident.api.Incident;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The system prompt and the per-incident-type user message templates. Built-in defaults (the bundled
 * {@code default-prompts.yaml}) are overridden by a prompts file ({@code llm.prompts_file}, the runtime's
 * {@code prompts.yaml}) and then by single keys ({@code llm.prompts.system}, {@code llm.prompts.default},
 * {@code llm.prompts.<incident-type>}). Immutable and thread-safe.
 *
 * <p>The prompt version is a hash of everything that shapes what the model is asked (system prompt,
 * template, answer format, the available actions and the rendering format); it goes into the diagnosis
 * attributes (and so the audit) and into the cache key, so changing a prompt never serves a cached answer
 * to the old one.
 */
public final class PromptSet {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final PromptSet DEFAULTS = loadDefaults();

    private final String system;
    private final String defaultTemplate;
    private final Map<String, String> templates;

    private PromptSet(String system, String defaultTemplate, Map<String, String> templates) {
        if (system == null || system.isBlank()) throw new IllegalArgumentException("system prompt is empty");
        if (defaultTemplate == null || defaultTemplate.isBlank()) throw new IllegalArgumentException("default prompt is empty");
        this.system = system.strip();
        this.defaultTemplate = defaultTemplate.strip();
        this.templates = Map.copyOf(templates);
    }

    public static PromptSet defaults() {
        return DEFAULTS;
    }

    /** Builds a prompt set by hand (tests, hosts): null system/default keep the built-in ones. */
    public static PromptSet of(String system, String defaultTemplate, Map<String, String> templates) {
        Map<String, String> merged = new TreeMap<>(DEFAULTS.templates);
        if (templates != null) merged.putAll(templates);
        return new PromptSet(system == null ? DEFAULTS.system : system,
                defaultTemplate == null ? DEFAULTS.defaultTemplate : defaultTemplate, merged);
    }

    /**
     * Defaults, then {@code prompts_file}, then {@code prompts.*} keys of {@code llm}.
     *
     * @throws IllegalArgumentException naming the file or key that is wrong
     */
    static PromptSet load(ConfigView llm) {
        String system = DEFAULTS.system;
        String fallback = DEFAULTS.defaultTemplate;
        Map<String, String> templates = new TreeMap<>(DEFAULTS.templates);

        String file = llm.getString("prompts_file", null);
        if (file != null) {
            Parsed parsed;
            try {
                parsed = parse(Files.readString(Path.of(file)), "llm.prompts_file " + file);
            } catch (IOException | RuntimeException e) {
                if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                        && iae.getMessage().startsWith("llm.prompts_file")) throw iae;
                throw new IllegalArgumentException("llm.prompts_file " + file + " cannot be read: " + e.getMessage());
            }
            if (parsed.system != null) system = parsed.system;
            if (parsed.defaultTemplate != null) fallback = parsed.defaultTemplate;
            templates.putAll(parsed.templates);
        }
        ConfigView prompts = llm.under("prompts");
        for (String key : new TreeSet<>(prompts.keys())) {
            String value = prompts.get(key).orElse("");
            if (value.isBlank()) continue;
            switch (key) {
                case "system", "system_prompt" -> system = value;
                case "default", "default_prompt" -> fallback = value;
                default -> {
                    if (!Ids.isKebab(key)) {
                        throw new IllegalArgumentException("llm.prompts." + key + ": expected system, default or a "
                                + "kebab-case incident type");
                    }
                    templates.put(key, value);
                }
            }
        }
        return new PromptSet(system, fallback, templates);
    }

    private record Parsed(String system, String defaultTemplate, Map<String, String> templates) {
    }

    /** prompts.yaml: {@code system_prompt}, {@code default_prompt}, {@code incident_prompts: {type: text}}; short keys too. */
    static Parsed parse(String yaml, String what) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(what + " is not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) return new Parsed(null, null, Map.of());
        if (!root.isObject()) throw new IllegalArgumentException(what + " must be a YAML mapping");
        String system = null;
        String fallback = null;
        Map<String, String> templates = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            switch (key) {
                case "system_prompt", "system" -> system = text(v, what, key);
                case "default_prompt", "default" -> fallback = text(v, what, key);
                case "incident_prompts" -> {
                    if (!v.isObject()) throw new IllegalArgumentException(what + ": incident_prompts must be a mapping");
                    for (Map.Entry<String, JsonNode> te : v.properties()) {
                        if (!Ids.isKebab(te.getKey())) {
                            throw new IllegalArgumentException(what + ": incident_prompts." + te.getKey()
                                    + " is not a kebab-case incident type");
                        }
                        templates.put(te.getKey(), text(te.getValue(), what, "incident_prompts." + te.getKey()));
                    }
                }
                default -> {
                    if (!Ids.isKebab(key)) {
                        throw new IllegalArgumentException(what + ": unknown key " + key + " (expected system_prompt, "
                                + "default_prompt, incident_prompts or a kebab-case incident type)");
                    }
                    templates.put(key, text(v, what, key));
                }
            }
        }
        return new Parsed(system, fallback, templates);
    }

    private static String text(JsonNode v, String what, String key) {
        if (!v.isTextual() || v.asText().isBlank()) throw new IllegalArgumentException(what + ": " + key + " must be non-empty text");
        return v.asText();
    }

    public String system() {
        return system;
    }

    /** The template for {@code incidentType}, or the default template. */
    public String template(String incidentType) {
        return templates.getOrDefault(incidentType, defaultTemplate);
    }

    public boolean hasTemplate(String incidentType) {
        return templates.containsKey(incidentType);
    }

    /**
     * The user message: the template with its placeholders filled and the context in place. The context is
     * inserted last, so placeholders inside evidence text stay literal.
     */
    public String userMessage(Incident incident, String context) {
        String t = template(incident.type())
                .replace("{{incident_type}}", incident.type())
                .replace("{{root_resource}}", ContextRenderer.ref(incident.rootResource()))
                .replace("{{namespace}}", incident.namespace() == null ? "-" : incident.namespace())
                .replace("{{severity}}", incident.severity().name());
        if (!t.contains("{{context}}")) return t.strip() + "\n\n" + context;
        int at = t.indexOf("{{context}}");
        return (t.substring(0, at) + context + t.substring(at + "{{context}}".length()).replace("{{context}}", "")).strip() + "\n";
    }

    /** A short stable hash of what the model is asked for this incident type (see the class comment). */
    public String version(String incidentType, OpenAiConfig.ResponseFormat format, List<ActionDescriptor> actions) {
        List<Map<String, Object>> described = new ArrayList<>();
        List<ActionDescriptor> sorted = new ArrayList<>(actions);
        sorted.sort(Comparator.comparing(ActionDescriptor::id));
        for (ActionDescriptor a : sorted) {
            Map<String, Object> m = new TreeMap<>();
            m.put("id", a.id());
            m.put("description", a.description());
            m.put("targetKinds", new TreeSet<>(a.targetKinds()));
            m.put("parameters", a.parametersSchema());
            described.add(m);
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : List.of(ContextRenderer.FORMAT_VERSION, ResponseSchema.VERSION, format.id(), system,
                    template(incidentType), CANONICAL.writeValueAsString(described))) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return "p" + HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException("cannot hash the prompt", e);
        }
    }

    private static PromptSet loadDefaults() {
        try (InputStream in = PromptSet.class.getResourceAsStream("default-prompts.yaml")) {
            Objects.requireNonNull(in, "default-prompts.yaml missing from the jar");
            Parsed p = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "default-prompts.yaml");
            return new PromptSet(p.system, p.defaultTemplate, p.templates);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in prompts", e);
        }
    }
}

package io.kubeincident.rules;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rules the analyzer knows: the bundled rules, then a user file, then inline YAML, each later source
 * replacing rules of the same id, adding new ones, or removing one with {@code enabled: false}. Built
 * once and immutable; thread-safe.
 */
public final class KnowledgeBase {

    /** Classpath location of the bundled rules. */
    public static final String BUNDLED_RESOURCE = "io/kubeincident/rules/bundled-rules.yaml";
    static final String BUNDLED_SOURCE = "bundled:" + BUNDLED_RESOURCE;

    private static final Comparator<Ranked> ORDER = Comparator
            .comparingInt((Ranked r) -> -r.rule.priority())
            .thenComparingInt(r -> -r.rule.specificity())
            .thenComparingInt(r -> r.index);

    private record Ranked(Rule rule, int index) {
    }

    private final List<Rule> rules;

    private KnowledgeBase(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bundled rules alone. */
    public static KnowledgeBase bundled() {
        return builder().build();
    }

    /** Rules in the order they are tried: priority, then specificity, then load order. */
    List<Rule> rules() {
        return rules;
    }

    /** The rules that apply to {@code incidentType}, in the order they are tried. */
    List<Rule> candidates(String incidentType) {
        List<Rule> out = new ArrayList<>();
        for (Rule r : rules) {
            if (r.appliesTo(incidentType)) out.add(r);
        }
        return out;
    }

    public List<String> ruleIds() {
        return rules.stream().map(Rule::id).toList();
    }

    public int size() {
        return rules.size();
    }

    /** Where the rule with this id came from. */
    public Optional<String> sourceOf(String ruleId) {
        return rules.stream().filter(r -> r.id().equals(ruleId)).map(Rule::source).findFirst();
    }

    /** Incident types named by at least one rule ({@code *} when a catch-all rule is present). */
    public Set<String> coveredTypes() {
        Set<String> out = new TreeSet<>();
        for (Rule r : rules) out.addAll(r.types());
        return out;
    }

    /** Assembles sources in order; {@link #build()} throws {@link RuleValidationException} listing every problem. */
    public static final class Builder {
        private static List<RuleLoader.Entry> bundledCache;

        private boolean bundled = true;
        private final List<String[]> sources = new ArrayList<>();
        private final List<RuleError> readErrors = new ArrayList<>();

        private Builder() {
        }

        /** Whether to start from the bundled rules (default true). */
        public Builder bundled(boolean include) {
            this.bundled = include;
            return this;
        }

        /** A user rule file; a file that cannot be read is reported by {@link #build()}. */
        public Builder file(Path path) {
            try {
                sources.add(new String[]{path.toString(), Files.readString(path, StandardCharsets.UTF_8)});
            } catch (IOException | RuntimeException e) {
                readErrors.add(new RuleError(path.toString(), null, "", "cannot read rule file: " + e));
            }
            return this;
        }

        /** Rules given as YAML text, e.g. from a ConfigMap; {@code sourceName} names it in errors. */
        public Builder yaml(String sourceName, String yaml) {
            sources.add(new String[]{sourceName, yaml});
            return this;
        }

        public KnowledgeBase build() {
            List<RuleError> errors = new ArrayList<>(readErrors);
            List<List<RuleLoader.Entry>> parsed = new ArrayList<>();
            if (bundled) parsed.add(bundledEntries(errors));
            for (String[] s : sources) parsed.add(RuleLoader.parse(s[0], s[1], errors));
            if (!errors.isEmpty()) throw new RuleValidationException(errors);

            Map<String, Rule> merged = new LinkedHashMap<>();
            for (List<RuleLoader.Entry> entries : parsed) {
                for (RuleLoader.Entry e : entries) {
                    if (e instanceof RuleLoader.Add a) merged.put(a.id(), a.rule());
                    else merged.remove(e.id());
                }
            }
            List<Ranked> ranked = new ArrayList<>();
            int i = 0;
            for (Rule r : merged.values()) ranked.add(new Ranked(r, i++));
            ranked.sort(ORDER);
            return new KnowledgeBase(ranked.stream().map(Ranked::rule).toList());
        }

        /** The bundled rules are parsed once per class loader; rules are immutable, so sharing them is safe. */
        private static synchronized List<RuleLoader.Entry> bundledEntries(List<RuleError> errors) {
            if (bundledCache != null) return bundledCache;
            List<RuleError> own = new ArrayList<>();
            String text = readBundled(own);
            List<RuleLoader.Entry> entries = text == null ? List.of() : RuleLoader.parse(BUNDLED_SOURCE, text, own);
            errors.addAll(own);
            if (own.isEmpty()) bundledCache = List.copyOf(entries);
            return entries;
        }

        private static String readBundled(List<RuleError> errors) {
            try (InputStream in = KnowledgeBase.class.getClassLoader().getResourceAsStream(BUNDLED_RESOURCE)) {
                if (in == null) {
                    errors.add(new RuleError(BUNDLED_SOURCE, null, "", "bundled rules not found on the classpath"));
                    return null;
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                errors.add(new RuleError(BUNDLED_SOURCE, null, "", "cannot read bundled rules: " + e));
                return null;
            }
        }
    }
}

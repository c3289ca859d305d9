package io.kubeincident.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubeincident.api.Ids;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads rule YAML into {@link Rule}s, checking everything it can at load time and collecting every
 * problem (with source, rule id and field) instead of stopping at the first. The YAML is walked as a
 * tree rather than bound to classes so that one bad field does not hide the others.
 */
final class RuleLoader {

    /** A rule, or the instruction to remove an earlier rule with this id ({@code enabled: false}). */
    sealed interface Entry permits Add, Disable {
        String id();
    }

    record Add(Rule rule) implements Entry {
        public String id() {
            return rule.id();
        }
    }

    record Disable(String id) implements Entry {
    }

    static final Set<String> TARGETS = Set.of("root", "pod", "node", "workload", "deployment", "app", "resource");

    private static final Set<String> TOP_FIELDS = Set.of("version", "rules");
    private static final Set<String> RULE_FIELDS = Set.of("id", "description", "types", "priority", "when", "category",
            "confidence", "rootCause", "reasoning", "advice", "actions", "enabled");
    private static final Set<String> ACTION_FIELDS = Set.of("type", "target", "parameters", "confidence", "rationale",
            "when", "maxFailures");
    private static final Set<String> SUBJECTS = Set.of("fact", "event", "log", "text", "resources", "any", "not");
    private static final Set<String> EVENT_FIELDS = Set.of("reason", "message", "type", "minCount");
    private static final Set<String> LOG_FIELDS = Set.of("pattern", "previous", "container");
    private static final Set<String> RESOURCE_FIELDS = Set.of("kind", "min", "max");
    private static final Pattern KIND = Pattern.compile("[A-Z][A-Za-z0-9]*");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private RuleLoader() {
    }

    /** Parses one source; problems go to {@code errors}, valid entries are returned. */
    static List<Entry> parse(String source, String yaml, List<RuleError> errors) {
        List<Entry> out = new ArrayList<>();
        if (yaml == null || yaml.isBlank()) {
            errors.add(new RuleError(source, null, "", "is empty"));
            return out;
        }
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            errors.add(new RuleError(source, null, where, "not valid YAML: " + e.getOriginalMessage()));
            return out;
        }
        if (root == null || !root.isObject()) {
            errors.add(new RuleError(source, null, "", "must be a mapping with a 'rules' list"));
            return out;
        }
        Problems top = new Problems(source, null, errors);
        unknownFields(root, TOP_FIELDS, "", top);
        JsonNode version = root.get("version");
        if (version != null && !(version.isIntegralNumber() && version.asInt() == 1)) {
            top.add("version", "only version 1 is supported, was: " + version);
        }
        JsonNode rules = root.get("rules");
        if (rules == null || !rules.isArray()) {
            top.add("rules", "a list of rules is required");
            return out;
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            JsonNode r = rules.get(i);
            String label = "rules[" + i + "]";
            JsonNode idNode = r.isObject() ? r.get("id") : null;
            String id = idNode != null && idNode.isTextual() ? idNode.asText() : null;
            Problems p = new Problems(source, id != null && !id.isBlank() ? id : label, errors);
            int before = errors.size();
            if (!r.isObject()) {
                p.add("", "must be a mapping");
                continue;
            }
            if (id == null || !Ids.isKebab(id)) {
                p.add("id", "a kebab-case id is required, was: " + (idNode == null ? "missing" : idNode));
            } else if (seen.putIfAbsent(id, i) != null) {
                p.add("id", "duplicate id in this source (also at rules[" + seen.get(id) + "])");
            }
            Entry e = parseRule(r, id, source, p);
            if (errors.size() == before && e != null) out.add(e);
        }
        return out;
    }

    private static Entry parseRule(JsonNode r, String id, String source, Problems p) {
        unknownFields(r, RULE_FIELDS, "", p);
        JsonNode enabled = r.get("enabled");
        if (enabled != null && !enabled.isBoolean()) p.add("enabled", "must be true or false, was: " + enabled);
        if (enabled != null && enabled.isBoolean() && !enabled.asBoolean()) {
            return id == null ? null : new Disable(id);
        }

        List<String> types = new ArrayList<>();
        JsonNode t = r.get("types");
        if (t == null) {
            p.add("types", "at least one incident type (or '*') is required");
        } else {
            List<JsonNode> items = new ArrayList<>();
            if (t.isArray()) t.forEach(items::add);
            else items.add(t);
            if (items.isEmpty()) p.add("types", "at least one incident type (or '*') is required");
            for (int i = 0; i < items.size(); i++) {
                JsonNode n = items.get(i);
                String s = n.isTextual() ? n.asText() : null;
                if (s == null || !(Rule.ANY_TYPE.equals(s) || Ids.isKebab(s))) {
                    p.add(t.isArray() ? "types[" + i + "]" : "types", "must be a kebab-case incident type or '*', was: " + n);
                } else {
                    types.add(s);
                }
            }
        }
        String description = text(r, "description", false, p);
        int priority = integer(r, "priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE, p);
        List<Condition> when = conditions(r.get("when"), "when", p);
        String category = text(r, "category", true, p);
        if (category != null && !Ids.isKebab(category)) {
            p.add("category", "must be kebab-case, was: " + category);
        }
        double confidence = confidence(r.get("confidence"), "confidence", p);
        Template rootCause = template(r, "rootCause", true, p);
        Template reasoning = template(r, "reasoning", false, p);
        List<Template> advice = new ArrayList<>();
        JsonNode adv = r.get("advice");
        if (adv != null) {
            if (!adv.isArray()) {
                p.add("advice", "must be a list of texts");
            } else {
                for (int i = 0; i < adv.size(); i++) {
                    Template tp = templateOf(adv.get(i), "advice[" + i + "]", p);
                    if (tp != null) advice.add(tp);
                }
            }
        }
        List<Rule.ActionTemplate> actions = new ArrayList<>();
        JsonNode acts = r.get("actions");
        if (acts != null) {
            if (!acts.isArray()) {
                p.add("actions", "must be a list (an empty list means: do not act automatically)");
            } else {
                for (int i = 0; i < acts.size(); i++) {
                    Rule.ActionTemplate a = action(acts.get(i), "actions[" + i + "]", p);
                    if (a != null) actions.add(a);
                }
            }
        }
        if (p.count() > 0) return null;
        Rule provisional = new Rule(id, source, types, description == null ? "" : description, priority, when,
                category, 0.0, rootCause, reasoning == null ? Template.of("") : reasoning, advice, actions);
        double conf = Double.isNaN(confidence) ? Rule.defaultConfidence(provisional.specificity()) : confidence;
        return new Add(new Rule(id, source, types, provisional.description(), priority, when, category, conf,
                rootCause, provisional.reasoning(), advice, actions));
    }

    private static Rule.ActionTemplate action(JsonNode a, String path, Problems p) {
        if (!a.isObject()) {
            p.add(path, "must be a mapping with 'type' and 'target'");
            return null;
        }
        int before = p.count();
        unknownFields(a, ACTION_FIELDS, path + ".", p);
        String type = text(a, "type", true, p, path + ".type");
        if (type != null && !Ids.isKebab(type)) p.add(path + ".type", "must be a kebab-case action type id, was: " + type);
        String target = text(a, "target", true, p, path + ".target");
        if (target != null && !validTarget(target)) {
            p.add(path + ".target", "must be one of " + new java.util.TreeSet<>(TARGETS)
                    + " or kind:<Kind>, was: " + target);
        }
        Map<String, Object> params = new LinkedHashMap<>();
        JsonNode ps = a.get("parameters");
        if (ps != null) {
            if (!ps.isObject()) {
                p.add(path + ".parameters", "must be a mapping of name to value");
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = ps.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String f = path + ".parameters." + e.getKey();
                    JsonNode v = e.getValue();
                    if (v.isTextual()) {
                        Template tp = templateOf(v, f, p);
                        if (tp != null) params.put(e.getKey(), tp);
                    } else if (v.isIntegralNumber()) {
                        params.put(e.getKey(), v.asLong());
                    } else if (v.isNumber()) {
                        params.put(e.getKey(), v.asDouble());
                    } else if (v.isBoolean()) {
                        params.put(e.getKey(), v.asBoolean());
                    } else {
                        p.add(f, "must be a text (template), number or boolean, was: " + v);
                    }
                }
            }
        }
        double confidence = confidence(a.get("confidence"), path + ".confidence", p);
        Template rationale = template(a, "rationale", false, p, path + ".rationale");
        List<Condition> when = conditions(a.get("when"), path + ".when", p);
        int maxFailures = integer(a, "maxFailures", 0, 1, 100, p, path + ".maxFailures");
        if (p.count() > before) return null;
        return new Rule.ActionTemplate(type, target, params, confidence,
                rationale == null ? Template.of("") : rationale, when, maxFailures);
    }

    static boolean validTarget(String target) {
        if (TARGETS.contains(target)) return true;
        return target.startsWith("kind:") && KIND.matcher(target.substring(5)).matches();
    }

    private static List<Condition> conditions(JsonNode node, String path, Problems p) {
        List<Condition> out = new ArrayList<>();
        if (node == null) return out;
        if (!node.isArray()) {
            p.add(path, "must be a list of conditions");
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            Condition c = condition(node.get(i), path + "[" + i + "]", p);
            if (c != null) out.add(c);
        }
        return out;
    }

    private static Condition condition(JsonNode c, String path, Problems p) {
        if (c == null || !c.isObject()) {
            p.add(path, "must be a mapping with one of " + new java.util.TreeSet<>(SUBJECTS));
            return null;
        }
        List<String> subjects = new ArrayList<>();
        c.fieldNames().forEachRemaining(f -> {
            if (SUBJECTS.contains(f)) subjects.add(f);
        });
        if (subjects.size() != 1) {
            p.add(path, "needs exactly one of " + new java.util.TreeSet<>(SUBJECTS) + ", found: " + subjects);
            return null;
        }
        String subject = subjects.get(0);
        return switch (subject) {
            case "fact" -> fact(c, path, p);
            case "event" -> event(c, path, p);
            case "log" -> log(c, path, p);
            case "text" -> {
                unknownFields(c, Set.of("text"), path + ".", p);
                Pattern re = regex(c.get("text"), path + ".text", p);
                yield re == null ? null : new Condition.Text(re);
            }
            case "resources" -> resources(c, path, p);
            case "any" -> {
                unknownFields(c, Set.of("any"), path + ".", p);
                JsonNode list = c.get("any");
                if (!list.isArray() || list.isEmpty()) {
                    p.add(path + ".any", "must be a non-empty list of conditions");
                    yield null;
                }
                int before = p.count();
                List<Condition> inner = conditions(list, path + ".any", p);
                yield p.count() > before ? null : new Condition.Any(inner);
            }
            case "not" -> {
                unknownFields(c, Set.of("not"), path + ".", p);
                Condition inner = condition(c.get("not"), path + ".not", p);
                yield inner == null ? null : new Condition.Not(inner);
            }
            default -> null;
        };
    }

    private static Condition fact(JsonNode c, String path, Problems p) {
        JsonNode keyNode = c.get("fact");
        String key = keyNode.isTextual() ? keyNode.asText().trim() : "";
        if (key.isEmpty()) p.add(path + ".fact", "must name a fact, was: " + keyNode);
        List<String> ops = new ArrayList<>();
        c.fieldNames().forEachRemaining(f -> {
            if (!f.equals("fact")) ops.add(f);
        });
        if (ops.size() != 1 || Condition.Op.byKey(ops.get(0)) == null) {
            p.add(path, "a fact condition needs exactly one operator of [equals, notEquals, in, notIn, matches, exists, gt, gte, lt, lte], found: " + ops);
            return null;
        }
        Condition.Op op = Condition.Op.byKey(ops.get(0));
        JsonNode v = c.get(op.key);
        String f = path + "." + op.key;
        switch (op) {
            case EQUALS, NOT_EQUALS -> {
                if (!v.isValueNode() || v.isNull()) {
                    p.add(f, "must be a single value, was: " + v);
                    return null;
                }
                return key.isEmpty() ? null : new Condition.Fact(key, op, List.of(v.asText()), null, 0, true);
            }
            case IN, NOT_IN -> {
                if (!v.isArray() || v.isEmpty()) {
                    p.add(f, "must be a non-empty list of values, was: " + v);
                    return null;
                }
                List<String> values = new ArrayList<>();
                for (JsonNode x : v) {
                    if (!x.isValueNode() || x.isNull()) {
                        p.add(f, "must hold only single values, was: " + x);
                        return null;
                    }
                    values.add(x.asText());
                }
                return key.isEmpty() ? null : new Condition.Fact(key, op, values, null, 0, true);
            }
            case MATCHES -> {
                Pattern re = regex(v, f, p);
                return re == null || key.isEmpty() ? null : new Condition.Fact(key, op, List.of(), re, 0, true);
            }
            case EXISTS -> {
                if (!v.isBoolean()) {
                    p.add(f, "must be true or false, was: " + v);
                    return null;
                }
                return key.isEmpty() ? null : new Condition.Fact(key, op, List.of(), null, 0, v.asBoolean());
            }
            default -> {
                if (!v.isNumber()) {
                    p.add(f, "must be a number, was: " + v);
                    return null;
                }
                return key.isEmpty() ? null : new Condition.Fact(key, op, List.of(), null, v.asDouble(), true);
            }
        }
    }

    private static Condition event(JsonNode c, String path, Problems p) {
        unknownFields(c, Set.of("event"), path + ".", p);
        JsonNode e = c.get("event");
        String base = path + ".event";
        if (!e.isObject()) {
            p.add(base, "must be a mapping with reason and/or message");
            return null;
        }
        int before = p.count();
        unknownFields(e, EVENT_FIELDS, base + ".", p);
        List<String> reasons = new ArrayList<>();
        JsonNode r = e.get("reason");
        if (r != null) {
            if (r.isTextual() && !r.asText().isBlank()) {
                reasons.add(r.asText());
            } else if (r.isArray() && !r.isEmpty()) {
                for (JsonNode x : r) {
                    if (x.isTextual() && !x.asText().isBlank()) reasons.add(x.asText());
                    else p.add(base + ".reason", "must hold event reasons, was: " + x);
                }
            } else {
                p.add(base + ".reason", "must be an event reason or a list of them, was: " + r);
            }
        }
        Pattern message = e.has("message") ? regex(e.get("message"), base + ".message", p) : null;
        String type = null;
        JsonNode ty = e.get("type");
        if (ty != null) {
            if (ty.isTextual() && (ty.asText().equals("Warning") || ty.asText().equals("Normal"))) type = ty.asText();
            else p.add(base + ".type", "must be Warning or Normal, was: " + ty);
        }
        int minCount = integer(e, "minCount", 1, 1, Integer.MAX_VALUE, p, base + ".minCount");
        if (r == null && !e.has("message")) p.add(base, "needs a reason or a message pattern");
        if (p.count() > before) return null;
        return new Condition.Event(reasons, message, type, minCount);
    }

    private static Condition log(JsonNode c, String path, Problems p) {
        JsonNode l = c.get("log");
        int before = p.count();
        Pattern re;
        Boolean previous = null;
        String container = null;
        JsonNode holder;
        String base;
        if (l.isObject()) {
            unknownFields(c, Set.of("log"), path + ".", p);
            unknownFields(l, LOG_FIELDS, path + ".log.", p);
            if (!l.has("pattern")) p.add(path + ".log.pattern", "is required");
            re = l.has("pattern") ? regex(l.get("pattern"), path + ".log.pattern", p) : null;
            holder = l;
            base = path + ".log.";
        } else {
            unknownFields(c, Set.of("log", "previous", "container"), path + ".", p);
            re = regex(l, path + ".log", p);
            holder = c;
            base = path + ".";
        }
        JsonNode prev = holder.get("previous");
        if (prev != null) {
            if (prev.isBoolean()) previous = prev.asBoolean();
            else p.add(base + "previous", "must be true or false, was: " + prev);
        }
        JsonNode ct = holder.get("container");
        if (ct != null) {
            if (ct.isTextual() && !ct.asText().isBlank()) container = ct.asText();
            else p.add(base + "container", "must be a container name, was: " + ct);
        }
        if (p.count() > before || re == null) return null;
        return new Condition.Log(re, previous, container);
    }

    private static Condition resources(JsonNode c, String path, Problems p) {
        unknownFields(c, Set.of("resources"), path + ".", p);
        JsonNode r = c.get("resources");
        String base = path + ".resources";
        if (!r.isObject()) {
            p.add(base, "must be a mapping with kind, min and/or max");
            return null;
        }
        int before = p.count();
        unknownFields(r, RESOURCE_FIELDS, base + ".", p);
        String kind = text(r, "kind", true, p, base + ".kind");
        if (kind != null && !KIND.matcher(kind).matches()) p.add(base + ".kind", "must be a Kind like Pod, was: " + kind);
        int min = integer(r, "min", 0, 0, Integer.MAX_VALUE, p, base + ".min");
        int max = integer(r, "max", Integer.MAX_VALUE, 0, Integer.MAX_VALUE, p, base + ".max");
        if (min > max) p.add(base, "min " + min + " is greater than max " + max);
        if (p.count() > before) return null;
        return new Condition.Resources(kind, min, max);
    }

    private static Pattern regex(JsonNode v, String field, Problems p) {
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            p.add(field, "must be a regular expression, was: " + v);
            return null;
        }
        try {
            return Condition.Regexes.compile(v.asText());
        } catch (PatternSyntaxException e) {
            p.add(field, "not a valid regular expression: " + e.getDescription() + " near index " + e.getIndex()
                    + " in /" + v.asText() + "/");
            return null;
        }
    }

    private static double confidence(JsonNode v, String field, Problems p) {
        if (v == null) return Double.NaN;
        if (!v.isNumber() || v.asDouble() < 0.0 || v.asDouble() > 1.0 || Double.isNaN(v.asDouble())) {
            p.add(field, "must be a number within [0, 1], was: " + v);
            return Double.NaN;
        }
        return v.asDouble();
    }

    private static int integer(JsonNode owner, String name, int fallback, int min, int max, Problems p) {
        return integer(owner, name, fallback, min, max, p, name);
    }

    private static int integer(JsonNode owner, String name, int fallback, int min, int max, Problems p, String field) {
        JsonNode v = owner.get(name);
        if (v == null) return fallback;
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            p.add(field, "must be an integer" + (min == Integer.MIN_VALUE ? "" : " >= " + min)
                    + (max == Integer.MAX_VALUE ? "" : " and <= " + max) + ", was: " + v);
            return fallback;
        }
        return v.asInt();
    }

    private static String text(JsonNode owner, String name, boolean required, Problems p) {
        return text(owner, name, required, p, name);
    }

    private static String text(JsonNode owner, String name, boolean required, Problems p, String field) {
        JsonNode v = owner.get(name);
        if (v == null || v.isNull()) {
            if (required) p.add(field, "is required");
            return null;
        }
        if (!v.isTextual() || (required && v.asText().isBlank())) {
            p.add(field, "must be a non-empty text, was: " + v);
            return null;
        }
        return v.asText();
    }

    private static Template template(JsonNode owner, String name, boolean required, Problems p) {
        return template(owner, name, required, p, name);
    }

    private static Template template(JsonNode owner, String name, boolean required, Problems p, String field) {
        String s = text(owner, name, required, p, field);
        if (s == null) return null;
        try {
            return Template.parse(s);
        } catch (IllegalArgumentException e) {
            p.add(field, "bad template: " + e.getMessage());
            return null;
        }
    }

    private static Template templateOf(JsonNode v, String field, Problems p) {
        if (v == null || !v.isTextual()) {
            p.add(field, "must be a text, was: " + v);
            return null;
        }
        try {
            return Template.parse(v.asText());
        } catch (IllegalArgumentException e) {
            p.add(field, "bad template: " + e.getMessage());
            return null;
        }
    }

    private static void unknownFields(JsonNode node, Set<String> known, String prefix, Problems p) {
        node.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                p.add(prefix + f, "unknown field (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        });
    }

    /** Collects problems for one source and rule. */
    private static final class Problems {
        private final String source;
        private final String rule;
        private final List<RuleError> errors;
        private int count;

        Problems(String source, String rule, List<RuleError> errors) {
            this.source = source;
            this.rule = rule;
            this.errors = errors;
        }

        void add(String field, String message) {
            errors.add(new RuleError(source, rule, field, message));
            count++;
        }

        int count() {
            return count;
        }
    }
}

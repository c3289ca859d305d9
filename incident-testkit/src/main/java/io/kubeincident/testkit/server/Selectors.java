package io.kubeincident.testkit.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/** Label selectors (equality and set-based) and field selectors (any dotted path) on JSON objects. */
final class Selectors {

    private Selectors() {
    }

    /** Parses a label selector string; {@code null} or blank selects everything. */
    static Predicate<JsonNode> labels(String selector) {
        if (selector == null || selector.isBlank()) return o -> true;
        List<Predicate<JsonNode>> terms = new ArrayList<>();
        for (String term : splitTerms(selector)) {
            terms.add(labelTerm(term.trim()));
        }
        return o -> terms.stream().allMatch(t -> t.test(o));
    }

    private static Predicate<JsonNode> labelTerm(String t) {
        if (t.isEmpty()) return o -> true;
        String lower = t.toLowerCase();
        int notin = lower.indexOf(" notin ");
        int in = lower.indexOf(" in ");
        if (notin > 0) {
            String key = t.substring(0, notin).trim();
            Set<String> values = setValues(t.substring(notin + 7));
            return o -> label(o, key) == null || !values.contains(label(o, key));
        }
        if (in > 0) {
            String key = t.substring(0, in).trim();
            Set<String> values = setValues(t.substring(in + 4));
            return o -> label(o, key) != null && values.contains(label(o, key));
        }
        if (t.contains("!=")) {
            String[] kv = t.split("!=", 2);
            String key = kv[0].trim();
            String v = kv[1].trim();
            return o -> !v.equals(label(o, key));
        }
        if (t.contains("=")) {
            String[] kv = t.split("==?", 2);
            String key = kv[0].trim();
            String v = kv[1].trim();
            return o -> v.equals(label(o, key));
        }
        if (t.startsWith("!")) {
            String key = t.substring(1).trim();
            return o -> label(o, key) == null;
        }
        return o -> label(o, t) != null;
    }

    private static Set<String> setValues(String s) {
        String body = s.trim();
        if (!body.startsWith("(") || !body.endsWith(")")) {
            throw new IllegalArgumentException("set-based selector needs (values): " + s);
        }
        Set<String> out = new TreeSet<>();
        for (String v : body.substring(1, body.length() - 1).split(",")) {
            if (!v.isBlank()) out.add(v.trim());
        }
        return out;
    }

    /** Splits on commas outside parentheses. */
    private static List<String> splitTerms(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '(') depth++;
            if (c == ')') depth--;
            if (c == ',' && depth == 0) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    private static String label(JsonNode o, String key) {
        JsonNode v = o.path("metadata").path("labels").get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    /**
     * Parses a field selector ({@code spec.nodeName=n1,status.phase!=Running}). Any dotted path of the
     * object can be used; a missing field compares as the empty string, as the API server does.
     */
    static Predicate<JsonNode> fields(String selector) {
        if (selector == null || selector.isBlank()) return o -> true;
        List<Predicate<JsonNode>> terms = new ArrayList<>();
        for (String term : selector.split(",")) {
            String t = term.trim();
            if (t.isEmpty()) continue;
            boolean negate = t.contains("!=");
            String[] kv = negate ? t.split("!=", 2) : t.split("==?", 2);
            if (kv.length != 2) throw new IllegalArgumentException("invalid field selector term: " + t);
            String path = kv[0].trim();
            String v = kv[1].trim();
            terms.add(o -> negate != v.equals(field(o, path)));
        }
        return o -> terms.stream().allMatch(t -> t.test(o));
    }

    static String field(JsonNode o, String dotted) {
        JsonNode cur = o;
        for (String p : dotted.split("\\.")) {
            cur = cur.path(p);
        }
        return cur.isMissingNode() || cur.isNull() ? "" : cur.asText();
    }

    /** A {@code matchLabels}/{@code matchExpressions} LabelSelector object against an object's labels. */
    static boolean matches(JsonNode selector, JsonNode object) {
        if (selector == null || selector.isNull() || selector.isMissingNode()) return false;
        JsonNode labels = object.path("metadata").path("labels");
        for (Iterator<Map.Entry<String, JsonNode>> it = selector.path("matchLabels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) return false;
        }
        for (JsonNode expr : selector.path("matchExpressions")) {
            String key = expr.path("key").asText();
            String op = expr.path("operator").asText();
            JsonNode v = labels.get(key);
            Set<String> values = new TreeSet<>();
            expr.path("values").forEach(x -> values.add(x.asText()));
            boolean ok = switch (op) {
                case "In" -> v != null && values.contains(v.asText());
                case "NotIn" -> v == null || !values.contains(v.asText());
                case "Exists" -> v != null;
                case "DoesNotExist" -> v == null;
                default -> false;
            };
            if (!ok) return false;
        }
        return true;
    }

    /** The selector as the string form a Scale status carries ({@code app=web,tier in (a,b)}). */
    static String selectorString(JsonNode selector) {
        List<String> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = selector.path("matchLabels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            parts.add(e.getKey() + "=" + e.getValue().asText());
        }
        for (JsonNode expr : selector.path("matchExpressions")) {
            String key = expr.path("key").asText();
            List<String> values = new ArrayList<>();
            expr.path("values").forEach(x -> values.add(x.asText()));
            switch (expr.path("operator").asText()) {
                case "In" -> parts.add(key + " in (" + String.join(",", values) + ")");
                case "NotIn" -> parts.add(key + " notin (" + String.join(",", values) + ")");
                case "Exists" -> parts.add(key);
                case "DoesNotExist" -> parts.add("!" + key);
                default -> {
                }
            }
        }
        return String.join(",", parts);
    }
}

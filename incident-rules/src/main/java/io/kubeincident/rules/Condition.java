package io.kubeincident.rules;

import io.kubeincident.api.EventSummary;
import io.kubeincident.api.LogExcerpt;
import io.kubeincident.api.ResourceRef;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One test of a rule's {@code when} list. Conditions read the variables of a {@link MatchContext}
 * (facts) or the evidence (events, logs); regex conditions add their named groups as variables for
 * the conditions and templates that follow. Immutable and thread-safe.
 */
sealed interface Condition {

    /** Longest matched log line or message kept as a variable. */
    int MAX_CAPTURE = 300;

    boolean test(MatchContext ctx);

    /** How much this condition narrows the match; a rule's specificity is the sum over its conditions. */
    default int specificity() {
        return 1;
    }

    String describe();

    enum Op {
        EQUALS("equals"), NOT_EQUALS("notEquals"), IN("in"), NOT_IN("notIn"), MATCHES("matches"),
        EXISTS("exists"), GT("gt"), GTE("gte"), LT("lt"), LTE("lte");

        final String key;

        Op(String key) {
            this.key = key;
        }

        static Op byKey(String key) {
            for (Op op : values()) {
                if (op.key.equals(key)) return op;
            }
            return null;
        }
    }

    /**
     * A test on one fact. Values compare case-insensitively ("True" equals "true"). A missing fact fails
     * every operator except {@code exists: false}, {@code notEquals} and {@code notIn}: unknown is not the
     * value being excluded.
     */
    record Fact(String key, Op op, List<String> values, Pattern pattern, double number, boolean exists)
            implements Condition {
        public boolean test(MatchContext ctx) {
            String v = ctx.get(key);
            boolean ok = switch (op) {
                case EXISTS -> (v != null) == exists;
                case EQUALS -> v != null && v.trim().equalsIgnoreCase(values.get(0));
                case NOT_EQUALS -> v == null || !v.trim().equalsIgnoreCase(values.get(0));
                case IN -> v != null && containsIgnoreCase(values, v.trim());
                case NOT_IN -> v == null || !containsIgnoreCase(values, v.trim());
                case MATCHES -> v != null && Regexes.capture(pattern, v, ctx, null);
                case GT, GTE, LT, LTE -> compare(v);
            };
            if (ok) ctx.matched.add(describe() + (v != null && op != Op.EQUALS && op != Op.EXISTS ? " (" + Regexes.cut(v, 120) + ")" : ""));
            return ok;
        }

        private boolean compare(String v) {
            if (v == null) return false;
            double d;
            try {
                d = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                return false;
            }
            return switch (op) {
                case GT -> d > number;
                case GTE -> d >= number;
                case LT -> d < number;
                case LTE -> d <= number;
                default -> false;
            };
        }

        private static boolean containsIgnoreCase(List<String> values, String v) {
            for (String s : values) {
                if (s.equalsIgnoreCase(v)) return true;
            }
            return false;
        }

        public String describe() {
            return switch (op) {
                case EXISTS -> key + (exists ? " is known" : " is not known");
                case EQUALS -> key + " = " + values.get(0);
                case NOT_EQUALS -> key + " != " + values.get(0);
                case IN -> key + " in " + values;
                case NOT_IN -> key + " not in " + values;
                case MATCHES -> key + " matches /" + pattern.pattern() + "/";
                case GT -> key + " > " + fmt(number);
                case GTE -> key + " >= " + fmt(number);
                case LT -> key + " < " + fmt(number);
                case LTE -> key + " <= " + fmt(number);
            };
        }

        private static String fmt(double d) {
            return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
        }
    }

    /** Some related event has one of {@code reasons} (if given), a message matching {@code message} (if given), of {@code type} (if given). */
    record Event(List<String> reasons, Pattern message, String type, int minCount) implements Condition {
        public boolean test(MatchContext ctx) {
            for (EventSummary e : ctx.evidence.events()) {
                if (type != null && !type.equalsIgnoreCase(e.type())) continue;
                if (!reasons.isEmpty() && reasons.stream().noneMatch(r -> r.equalsIgnoreCase(e.reason()))) continue;
                if (e.count() < minCount) continue;
                MatchContext branch = ctx.fork();
                if (message != null && !Regexes.capture(message, e.message(), branch, null)) continue;
                branch.vars.put("event.reason", e.reason());
                branch.vars.put("event.message", Regexes.cut(e.message(), MAX_CAPTURE));
                branch.vars.put("event.count", Integer.toString(e.count()));
                ctx.absorb(branch);
                ctx.matched.add("event " + e.reason() + (e.count() > 1 ? " x" + e.count() : "") + ": \""
                        + Regexes.cut(e.message(), 160) + "\"");
                return true;
            }
            return false;
        }

        public int specificity() {
            return (reasons.isEmpty() ? 0 : 1) + (message == null ? 0 : 1) + (minCount > 1 ? 1 : 0);
        }

        public String describe() {
            List<String> parts = new ArrayList<>();
            if (!reasons.isEmpty()) parts.add("reason in " + reasons);
            if (message != null) parts.add("message /" + message.pattern() + "/");
            if (type != null) parts.add("type " + type);
            if (minCount > 1) parts.add("count >= " + minCount);
            return "event with " + String.join(", ", parts);
        }
    }

    /** Some log line (of the previous instance only, or the current only, when {@code previous} is set) matches. */
    record Log(Pattern pattern, Boolean previous, String container) implements Condition {
        public boolean test(MatchContext ctx) {
            for (LogExcerpt log : ctx.evidence.logs()) {
                if (previous != null && log.previous() != previous) continue;
                if (container != null && !container.equals(log.container())) continue;
                for (String line : log.lines()) {
                    if (line == null) continue;
                    MatchContext branch = ctx.fork();
                    if (!Regexes.capture(pattern, line, branch, null)) continue;
                    branch.vars.put("log.line", Regexes.cut(line.strip(), MAX_CAPTURE));
                    branch.vars.put("log.container", log.container());
                    branch.vars.put("log.pod", log.pod().name());
                    ctx.absorb(branch);
                    ctx.matched.add("log of " + log.pod().name() + (log.container().isEmpty() ? "" : "/" + log.container())
                            + (log.previous() ? " (previous)" : "") + " matches /" + pattern.pattern() + "/: \""
                            + Regexes.cut(line.strip(), 160) + "\"");
                    return true;
                }
            }
            return false;
        }

        public String describe() {
            return "log matches /" + pattern.pattern() + "/";
        }
    }

    /** The finding's message, its {@code message} fact or any event message matches. */
    record Text(Pattern pattern) implements Condition {
        public boolean test(MatchContext ctx) {
            List<String> texts = new ArrayList<>();
            String m = ctx.get("message");
            if (m != null) texts.add(m);
            if (ctx.finding != null && !ctx.finding.message().isEmpty()) texts.add(ctx.finding.message());
            for (EventSummary e : ctx.evidence.events()) texts.add(e.message());
            for (String t : texts) {
                MatchContext branch = ctx.fork();
                if (Regexes.capture(pattern, t, branch, "text.match")) {
                    branch.vars.put("text", Regexes.cut(t, MAX_CAPTURE));
                    ctx.absorb(branch);
                    ctx.matched.add("text matches /" + pattern.pattern() + "/: \"" + Regexes.cut(t, 160) + "\"");
                    return true;
                }
            }
            return false;
        }

        public String describe() {
            return "text matches /" + pattern.pattern() + "/";
        }
    }

    /** How many of the incident's resources (root included, each once) are of {@code kind}. */
    record Resources(String kind, int min, int max) implements Condition {
        public boolean test(MatchContext ctx) {
            Set<String> keys = new HashSet<>();
            if (ctx.incident.rootResource().kind().equals(kind)) keys.add(ctx.incident.rootResource().key());
            for (ResourceRef r : ctx.incident.resources()) {
                if (r.kind().equals(kind)) keys.add(r.key());
            }
            int n = keys.size();
            boolean ok = n >= min && n <= max;
            if (ok) ctx.matched.add(n + " " + kind + (n == 1 ? "" : "s") + " in the incident");
            return ok;
        }

        public String describe() {
            return "resources of kind " + kind + " between " + min + " and " + (max == Integer.MAX_VALUE ? "any" : max);
        }
    }

    /** At least one of the branches matches; the first that does contributes its captures. */
    record Any(List<Condition> anyOf) implements Condition {
        public boolean test(MatchContext ctx) {
            for (Condition c : anyOf) {
                MatchContext branch = ctx.fork();
                if (c.test(branch)) {
                    ctx.absorb(branch);
                    return true;
                }
            }
            return false;
        }

        public int specificity() {
            int min = Integer.MAX_VALUE;
            for (Condition c : anyOf) min = Math.min(min, c.specificity());
            return anyOf.isEmpty() ? 0 : min;
        }

        public String describe() {
            List<String> d = new ArrayList<>();
            for (Condition c : anyOf) d.add(c.describe());
            return "any of (" + String.join("; ", d) + ")";
        }
    }

    /** The inner condition does not match; captures of the inner condition are discarded. */
    record Not(Condition inner) implements Condition {
        public boolean test(MatchContext ctx) {
            boolean ok = !inner.test(ctx.fork());
            if (ok) ctx.matched.add("not (" + inner.describe() + ")");
            return ok;
        }

        public String describe() {
            return "not (" + inner.describe() + ")";
        }
    }

    /** Regex helpers: named-group capture and short excerpts. */
    final class Regexes {
        static final int MAX_MATCH_INPUT = 8192;
        private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");

        private Regexes() {
        }

        static Pattern compile(String regex) {
            return Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        }

        /** Finds {@code p} in {@code text}; on a hit puts its named groups (and, if given, the whole match) into the context. */
        static boolean capture(Pattern p, String text, MatchContext ctx, String wholeMatchVar) {
            if (text == null) return false;
            // Bounds the work of a user's regex on one pathological line; real messages are far shorter.
            Matcher m = p.matcher(text.length() > MAX_MATCH_INPUT ? text.substring(0, MAX_MATCH_INPUT) : text);
            if (!m.find()) return false;
            for (String name : groupNames(p)) {
                String g = m.group(name);
                if (g != null && !g.isEmpty()) ctx.vars.put(name, cut(g, MAX_CAPTURE));
            }
            if (wholeMatchVar != null) ctx.vars.put(wholeMatchVar, cut(m.group(), MAX_CAPTURE));
            return true;
        }

        static List<String> groupNames(Pattern p) {
            List<String> names = new ArrayList<>();
            Matcher m = GROUP_NAME.matcher(p.pattern());
            while (m.find()) names.add(m.group(1));
            return names;
        }

        static String cut(String s, int max) {
            if (s == null) return "";
            String one = s.replace('\n', ' ').replace('\r', ' ');
            return one.length() <= max ? one : one.substring(0, max) + "...";
        }

    }
}

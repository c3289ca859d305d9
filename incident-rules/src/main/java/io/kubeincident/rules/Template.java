package io.kubeincident.rules;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A text with {@code {{variable|filter|filter:arg}}} placeholders and {@code [[optional sections]]}
 * that are dropped when a variable inside them is missing. Parsed once at load time so that a bad
 * template is a load error, not a surprise during an incident. Immutable and thread-safe.
 */
final class Template {

    /** What a missing variable renders as outside an optional section. */
    static final String UNKNOWN = "unknown";

    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z0-9_.\\-]+");
    private static final Set<String> FILTERS = Set.of(
            "default", "int", "number", "bool", "optional", "lower", "upper", "truncate", "raiseMemory", "memoryFactor");

    sealed interface Part permits Text, Expr, Section {
    }

    record Text(String text) implements Part {
    }

    record Filter(String name, String arg) {
    }

    record Expr(String variable, List<Filter> filters) implements Part {
        boolean optional() {
            return filters.stream().anyMatch(f -> f.name().equals("optional"));
        }
    }

    record Section(List<Part> parts) implements Part {
    }

    /**
     * A rendered value: {@code value} (a String, Long, Double or Boolean) or, when it could not be
     * produced, {@code missing} says why.
     */
    record Value(Object value, String missing) {
        static Value of(Object v) {
            return new Value(v, null);
        }

        static Value missing(String why) {
            return new Value(null, why);
        }

        boolean present() {
            return missing == null;
        }

        String text() {
            return value == null ? null : String.valueOf(value);
        }
    }

    /** What filters need besides the variables. */
    record Env(Map<String, String> vars, long maxMemoryBytes) {
    }

    private final String source;
    private final List<Part> parts;

    private Template(String source, List<Part> parts) {
        this.source = source;
        this.parts = List.copyOf(parts);
    }

    String source() {
        return source;
    }

    static Template of(String text) {
        return parse(text);
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} with a message saying what is wrong where. */
    static Template parse(String text) {
        if (text == null) text = "";
        List<Part> top = new ArrayList<>();
        List<Part> section = null;
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("{{", i)) {
                int end = text.indexOf("}}", i + 2);
                if (end < 0) throw new IllegalArgumentException("unclosed '{{' at offset " + i);
                flush(lit, section != null ? section : top);
                (section != null ? section : top).add(parseExpr(text.substring(i + 2, end).trim(), i));
                i = end + 2;
            } else if (text.startsWith("}}", i)) {
                throw new IllegalArgumentException("'}}' without '{{' at offset " + i);
            } else if (text.startsWith("[[", i)) {
                if (section != null) throw new IllegalArgumentException("nested '[[' at offset " + i);
                flush(lit, top);
                section = new ArrayList<>();
                i += 2;
            } else if (text.startsWith("]]", i)) {
                if (section == null) throw new IllegalArgumentException("']]' without '[[' at offset " + i);
                flush(lit, section);
                top.add(new Section(List.copyOf(section)));
                section = null;
                i += 2;
            } else {
                lit.append(text.charAt(i++));
            }
        }
        if (section != null) throw new IllegalArgumentException("unclosed '[['");
        flush(lit, top);
        return new Template(text, top);
    }

    private static void flush(StringBuilder lit, List<Part> into) {
        if (lit.length() > 0) {
            into.add(new Text(lit.toString()));
            lit.setLength(0);
        }
    }

    private static Expr parseExpr(String body, int offset) {
        String[] pieces = body.split("\\|", -1);
        String variable = pieces[0].trim();
        if (!VARIABLE.matcher(variable).matches()) {
            throw new IllegalArgumentException("bad variable name '" + variable + "' at offset " + offset);
        }
        List<Filter> filters = new ArrayList<>();
        for (int k = 1; k < pieces.length; k++) {
            String p = pieces[k].trim();
            int colon = p.indexOf(':');
            String name = colon < 0 ? p : p.substring(0, colon).trim();
            String arg = colon < 0 ? null : p.substring(colon + 1);
            if (!FILTERS.contains(name)) {
                throw new IllegalArgumentException("unknown filter '" + name + "' in {{" + body + "}} (known: "
                        + String.join(", ", new java.util.TreeSet<>(FILTERS)) + ")");
            }
            switch (name) {
                case "default" -> {
                    if (arg == null) throw new IllegalArgumentException("filter 'default' needs a value: default:<text>");
                }
                case "truncate" -> {
                    if (arg == null || !arg.trim().matches("[1-9][0-9]{0,5}")) {
                        throw new IllegalArgumentException("filter 'truncate' needs a positive length: truncate:200");
                    }
                }
                case "raiseMemory", "memoryFactor" -> {
                    double f;
                    try {
                        f = arg == null ? Double.NaN : Double.parseDouble(arg.trim());
                    } catch (NumberFormatException e) {
                        f = Double.NaN;
                    }
                    if (!(f > 1.0 && f <= 10.0)) {
                        throw new IllegalArgumentException("filter '" + name + "' needs a factor in (1, 10]: " + name + ":1.5");
                    }
                }
                default -> {
                    if (arg != null) throw new IllegalArgumentException("filter '" + name + "' takes no argument");
                }
            }
            filters.add(new Filter(name, arg == null ? null : arg.trim()));
        }
        return new Expr(variable, List.copyOf(filters));
    }

    /** Every variable the template reads. */
    Set<String> variables() {
        Set<String> out = new LinkedHashSet<>();
        collect(parts, out);
        return out;
    }

    private static void collect(List<Part> parts, Set<String> out) {
        for (Part p : parts) {
            if (p instanceof Expr e) out.add(e.variable());
            else if (p instanceof Section s) collect(s.parts(), out);
        }
    }

    boolean isBlank() {
        return source.isBlank();
    }

    /** Renders for humans: a missing variable reads {@value #UNKNOWN}, an optional section with one is dropped. */
    String render(Env env) {
        StringBuilder out = new StringBuilder();
        for (Part p : parts) {
            if (p instanceof Text t) {
                out.append(t.text());
            } else if (p instanceof Expr e) {
                Value v = eval(e, env);
                out.append(v.present() ? v.text() : UNKNOWN);
            } else if (p instanceof Section s) {
                StringBuilder sec = new StringBuilder();
                boolean complete = true;
                for (Part q : s.parts()) {
                    if (q instanceof Text t) {
                        sec.append(t.text());
                    } else if (q instanceof Expr e) {
                        Value v = eval(e, env);
                        if (!v.present()) {
                            complete = false;
                            break;
                        }
                        sec.append(v.text());
                    }
                }
                if (complete) out.append(sec);
            }
        }
        return out.toString();
    }

    /**
     * Renders a parameter value. A template that is exactly one placeholder yields the typed value of
     * its filters ({@code int} gives a Long); anything else yields a String. A missing variable outside an
     * optional section makes the whole value missing; {@code optional} marks a value that may be omitted.
     */
    Value renderValue(Env env) {
        if (parts.size() == 1 && parts.get(0) instanceof Expr e) {
            return eval(e, env);
        }
        StringBuilder out = new StringBuilder();
        for (Part p : parts) {
            if (p instanceof Text t) {
                out.append(t.text());
            } else if (p instanceof Expr e) {
                Value v = eval(e, env);
                if (!v.present()) return v;
                out.append(v.text());
            } else if (p instanceof Section s) {
                out.append(new Template(source, s.parts()).render(env));
            }
        }
        return Value.of(out.toString());
    }

    /** True when the value may be left out when it cannot be rendered. */
    boolean optional() {
        return parts.size() == 1 && parts.get(0) instanceof Expr e && e.optional();
    }

    private static Value eval(Expr e, Env env) {
        String raw = env.vars().get(e.variable());
        Value v = raw == null || raw.isEmpty() ? Value.missing("fact '" + e.variable() + "' is not known") : Value.of(raw);
        for (Filter f : e.filters()) {
            v = apply(f, v, env, e.variable());
        }
        return v;
    }

    private static Value apply(Filter f, Value v, Env env, String variable) {
        if (f.name().equals("default")) return v.present() ? v : Value.of(f.arg());
        if (!v.present() || f.name().equals("optional")) return v;
        String s = v.text().trim();
        switch (f.name()) {
            case "int" -> {
                try {
                    return Value.of(new BigDecimal(s).longValueExact());
                } catch (ArithmeticException | NumberFormatException ex) {
                    return Value.missing("fact '" + variable + "' is not an integer: " + s);
                }
            }
            case "number" -> {
                try {
                    return Value.of(Double.parseDouble(s));
                } catch (NumberFormatException ex) {
                    return Value.missing("fact '" + variable + "' is not a number: " + s);
                }
            }
            case "bool" -> {
                if (s.equalsIgnoreCase("true")) return Value.of(Boolean.TRUE);
                if (s.equalsIgnoreCase("false")) return Value.of(Boolean.FALSE);
                return Value.missing("fact '" + variable + "' is not a boolean: " + s);
            }
            case "lower" -> {
                return Value.of(s.toLowerCase(Locale.ROOT));
            }
            case "upper" -> {
                return Value.of(s.toUpperCase(Locale.ROOT));
            }
            case "truncate" -> {
                int n = Integer.parseInt(f.arg());
                return Value.of(s.length() <= n ? s : s.substring(0, n) + "...");
            }
            case "raiseMemory" -> {
                return raiseMemory(s, Double.parseDouble(f.arg()), env.maxMemoryBytes(), variable);
            }
            case "memoryFactor" -> {
                return memoryFactor(s, Double.parseDouble(f.arg()), env.maxMemoryBytes(), variable);
            }
            default -> throw new IllegalStateException("unhandled filter " + f.name());
        }
    }

    /** current × factor, rounded up to whole MiB, capped; missing when the current value already reaches the cap. */
    private static Value raiseMemory(String current, double factor, long capBytes, String variable) {
        Value below = belowCap(current, capBytes, variable);
        if (!below.present()) return below;
        long bytes = (Long) below.value();
        BigDecimal raised = BigDecimal.valueOf(bytes).multiply(BigDecimal.valueOf(factor));
        long mib = raised.divide(BigDecimal.valueOf(Quantities.MI), 0, RoundingMode.CEILING).longValueExact();
        long target = Math.min(mib * Quantities.MI, capBytes);
        return Value.of(Quantities.format(target));
    }

    /** The bytes of a memory quantity below the cap, or why there is no room to raise it. */
    private static Value belowCap(String current, long capBytes, String variable) {
        long bytes;
        try {
            bytes = Quantities.bytes(current);
        } catch (IllegalArgumentException ex) {
            return Value.missing("fact '" + variable + "' is not a memory quantity: " + current);
        }
        if (bytes <= 0) return Value.missing("fact '" + variable + "' is not a positive memory quantity: " + current);
        if (bytes >= capBytes) {
            return Value.missing(variable + " " + current + " is already at or above the cap of "
                    + Quantities.format(capBytes));
        }
        return Value.of(bytes);
    }

    /**
     * The factor (a Double) that raises {@code current} by {@code factor} without passing the cap: the action
     * {@code adjust-resources} takes a factor, not a quantity. Rounded down to hundredths so that
     * current × factor stays within the cap; missing when no raise of at least 1% fits.
     */
    private static Value memoryFactor(String current, double factor, long capBytes, String variable) {
        Value below = belowCap(current, capBytes, variable);
        if (!below.present()) return below;
        long bytes = (Long) below.value();
        BigDecimal room = BigDecimal.valueOf(capBytes).divide(BigDecimal.valueOf(bytes), 2, RoundingMode.FLOOR);
        BigDecimal f = BigDecimal.valueOf(factor).min(room).setScale(2, RoundingMode.FLOOR);
        if (f.compareTo(BigDecimal.ONE) <= 0) {
            return Value.missing(variable + " " + current + " is within 1% of the cap of " + Quantities.format(capBytes));
        }
        return Value.of(f.stripTrailingZeros().doubleValue());
    }

    @Override
    public String toString() {
        return source;
    }
}

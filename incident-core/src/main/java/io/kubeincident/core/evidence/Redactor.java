package io.kubeincident.core.evidence;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from text before it leaves the engine: bearer and basic credentials, JWTs, cloud and
 * SaaS keys, passwords in URLs and in {@code key=value} / {@code key: value} / JSON pairs, PEM private
 * keys, connection-string credentials. What it cannot recognise it leaves: it is a second line of
 * defence behind "Secret objects are never read". Immutable and thread-safe.
 */
public final class Redactor {

    public static final String MASK = "[REDACTED]";

    private static final String SENSITIVE_KEY = "[A-Za-z0-9_.-]*?(?i:password|passwd|passphrase|pwd|secret|token|"
            + "api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|accountkey|sharedaccesskey|"
            + "auth[_-]?key|session[_-]?id|cookie)[A-Za-z0-9_.-]*";

    private static final List<Rule> STANDARD = List.of(
            // Multi-line: must run on whole text, before line splitting. A block cut off by a log bound
            // (no END line) is redacted to the end.
            new Rule(Pattern.compile("-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\\z)",
                    Pattern.DOTALL), "[REDACTED PRIVATE KEY]"),
            new Rule(Pattern.compile("\\beyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*"), "[REDACTED JWT]"),
            new Rule(Pattern.compile("(?i)\\b(bearer|basic)(\\s+)[A-Za-z0-9._~+/-]{6,}=*"), "$1$2" + MASK),
            new Rule(Pattern.compile("\\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\\b"), MASK),
            new Rule(Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}"), MASK),
            new Rule(Pattern.compile("\\bya29\\.[0-9A-Za-z_-]{20,}"), MASK),
            new Rule(Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"), MASK),
            new Rule(Pattern.compile("\\bxox[abposr]-[A-Za-z0-9-]{10,}"), MASK),
            new Rule(Pattern.compile("\\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"), MASK),
            new Rule(Pattern.compile("\\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}"), MASK),
            new Rule(Pattern.compile("\\bglpat-[A-Za-z0-9_-]{20,}"), MASK),
            // Credentials in URLs: scheme://user:password@host (also redis' scheme://:password@host).
            new Rule(Pattern.compile("\\b([A-Za-z][A-Za-z0-9+.-]*://)([^\\s:/@'\"]*):([^\\s@/'\"]+)@"), "$1$2:" + MASK + "@"),
            // Azure SAS and similar signed query strings.
            new Rule(Pattern.compile("(?i)([?&](?:sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&\\s\"']+"),
                    "$1" + MASK),
            // key=value, key: value, "key": "value", KEY_PASSWORD=value
            new Rule(Pattern.compile("(?<![A-Za-z0-9])(" + SENSITIVE_KEY + ")(\"?'?\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s,;&\"'}\\]]+)"),
                    null));

    private final List<Rule> rules;
    private final boolean builtInOnly;

    private Redactor(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        this.builtInOnly = rules.size() == STANDARD.size();
    }

    /** The built-in rules (what the static methods use). */
    public static Redactor standard() {
        return STANDARD_INSTANCE;
    }

    private static final Redactor STANDARD_INSTANCE = new Redactor(STANDARD);

    /**
     * The built-in rules plus {@code extraPatterns} (regular expressions; each whole match is masked), for
     * secrets only a host knows the shape of. Throws {@link IllegalArgumentException} for a bad pattern.
     */
    public static Redactor withExtraPatterns(Collection<String> extraPatterns) {
        List<Rule> rules = new ArrayList<>(STANDARD);
        for (String p : extraPatterns) {
            try {
                rules.add(new Rule(Pattern.compile(p), MASK));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("redaction pattern does not compile: " + p + ": " + e.getMessage());
            }
        }
        return new Redactor(rules);
    }

    /** {@code text} with every secret the built-in rules recognise masked; {@code null} stays {@code null}. */
    public static String redact(String text) {
        return STANDARD_INSTANCE.apply(text);
    }

    /** Each line redacted on its own (a private key spread over lines is only caught by {@link #redactLines}). */
    public static List<String> redactAll(List<String> lines) {
        return lines.stream().map(Redactor::redact).toList();
    }

    /** {@link #applyLines} with the built-in rules. */
    public static List<String> redactLines(List<String> lines) {
        return STANDARD_INSTANCE.applyLines(lines);
    }

    /** {@code text} with every secret these rules recognise masked; {@code null} stays {@code null}. */
    public String apply(String text) {
        if (text == null || text.isEmpty()) return text;
        if (builtInOnly && cannotHoldSecret(text)) return text;
        String out = text;
        for (Rule rule : rules) {
            out = rule.apply(out);
        }
        return out;
    }

    /**
     * Redacts lines as one text (so a private key spread over lines is caught whole) and splits them
     * again. The result may have fewer lines than the input.
     */
    public List<String> applyLines(List<String> lines) {
        if (lines.isEmpty()) return List.of();
        return List.of(apply(String.join("\n", lines)).split("\n", -1));
    }

    public Map<String, String> applyValues(Map<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, apply(v)));
        return out;
    }

    private static final String[] MARKERS = {"eyJ", "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA", "AIza",
            "ya29.", "gh", "github_pat_", "xox", "sk-", "sk_", "rk_", "glpat-", "earer", "EARER", "asic", "ASIC", "PRIVATE KEY"};

    /**
     * A cheap pre-check for the built-in rules: every one of them needs a ':' or '=' in the text, or one of
     * the token prefixes. Most structured values (counts, names, reasons) have none and skip the regexes.
     */
    static boolean cannotHoldSecret(String text) {
        if (text.indexOf(':') >= 0 || text.indexOf('=') >= 0) return false;
        for (String m : MARKERS) {
            if (text.contains(m)) return false;
        }
        return true;
    }

    private record Rule(Pattern pattern, String replacement) {
        String apply(String text) {
            Matcher m = pattern.matcher(text);
            if (!m.find()) return text;
            if (replacement != null) return m.replaceAll(replacement);
            // key=value: keep the key and the quoting, mask the value unless it already is masked
            StringBuilder sb = new StringBuilder();
            do {
                String value = m.group(3);
                String masked;
                if (value.contains("REDACTED")) {
                    masked = value;
                } else if (value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'"))) {
                    masked = value.charAt(0) + MASK + value.charAt(0);
                } else {
                    masked = MASK;
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + m.group(2) + masked));
            } while (m.find());
            m.appendTail(sb);
            return sb.toString();
        }
    }
}

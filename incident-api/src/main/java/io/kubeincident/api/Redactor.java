package io.kubeincident.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one redaction policy: masks secrets in text before it leaves the process (evidence for analyzers,
 * prompts, audit records, notifications): bearer and basic credentials, JWTs, cloud and SaaS keys,
 * passwords in URLs and in {@code key=value} / {@code key: value} / JSON pairs, signed query strings, PEM
 * private keys, connection-string credentials and long base64 blobs. What it cannot recognise it leaves: it
 * is a second line of defence behind "Secret objects are never read". Immutable and thread-safe.
 *
 * <p>The engine and every module that sends text out use this class; hosts add their own shapes with
 * {@link #withExtraPatterns}.
 */
public final class Redactor {

    public static final String MASK = "[REDACTED]";
    public static final String PRIVATE_KEY_MASK = "[REDACTED PRIVATE KEY]";

    private static final String SENSITIVE_KEY = "[A-Za-z0-9_.-]*?(?i:password|passwd|passphrase|pwd|secret|token|"
            + "api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|accountkey|sharedaccesskey|"
            + "auth[_-]?key|session[_-]?id|cookie|connection[_-]?string)[A-Za-z0-9_.-]*";

    private static final Pattern PEM_BEGIN = Pattern.compile("-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----");
    private static final Pattern PEM_END = Pattern.compile("-----END [A-Z0-9 ]*PRIVATE KEY-----");

    private static final List<Rule> STANDARD = List.of(
            // Multi-line: a block cut off by a log bound (no END line) is redacted to the end.
            new Rule(Pattern.compile("-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\\z)",
                    Pattern.DOTALL), PRIVATE_KEY_MASK),
            new Rule(Pattern.compile("\\beyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*"), "[REDACTED JWT]"),
            new Rule(Pattern.compile("(?i)\\b(bearer)(\\s+)[A-Za-z0-9._~+/-]{6,}=*"), "$1$2" + MASK),
            // "Basic" followed by a credential (it has a digit or a base64 sign), not "basic authentication failed"
            new Rule(Pattern.compile("(?i)\\b(basic)(\\s+)(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{6,}={0,2}"), "$1$2" + MASK),
            new Rule(Pattern.compile("\\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\\b"), MASK),
            new Rule(Pattern.compile("\\bAIza[0-9A-Za-z_-]{30,}"), MASK),
            new Rule(Pattern.compile("\\bya29\\.[0-9A-Za-z_-]{20,}"), MASK),
            new Rule(Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), MASK),
            new Rule(Pattern.compile("\\bxox[abposr]-[A-Za-z0-9-]{10,}"), MASK),
            new Rule(Pattern.compile("\\bsk-[A-Za-z0-9_-]{16,}"), MASK),
            new Rule(Pattern.compile("\\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}"), MASK),
            new Rule(Pattern.compile("\\bglpat-[A-Za-z0-9_-]{20,}"), MASK),
            // Credentials in URLs: scheme://user:password@host (also redis' scheme://:password@host).
            new Rule(Pattern.compile("\\b([A-Za-z][A-Za-z0-9+.-]*://)([^\\s:/@'\"]*):([^\\s@/]+)@"), "$1$2:" + MASK + "@"),
            // Azure SAS and similar signed query strings.
            new Rule(Pattern.compile("(?i)([?&](?:sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&\\s\"']+"),
                    "$1" + MASK),
            // key=value, key: value, "key": "value", KEY_PASSWORD=value
            new Rule(Pattern.compile("(?<![A-Za-z0-9])(" + SENSITIVE_KEY + ")(\"?'?\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s,;&\"'}\\]]+)"),
                    null),
            // long base64-looking blobs that mix cases and digits (keys, certificates); hex digests are left alone
            new Rule(Pattern.compile("\\b(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/]*[a-z])(?=[A-Za-z0-9+/]*[0-9])"
                    + "[A-Za-z0-9+/]{40,}={0,2}"), MASK));

    private static final Redactor STANDARD_INSTANCE = new Redactor(STANDARD);

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

    /**
     * Redacts {@code text} and bounds it to {@code max} characters. The work is bounded too: the text is cut
     * at twice the bound before redaction (a secret cut in two there lies past the bound and is dropped).
     */
    public static String redactBounded(String text, int max) {
        if (text == null) return null;
        String r = redact(text.length() > 2 * max ? text.substring(0, 2 * max) : text);
        if (r.length() <= max && text.length() <= 2 * max) return r;
        return r.substring(0, Math.min(r.length(), max)) + "...(" + text.length() + " chars in all)";
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
     * Redacts log lines one by one, also masking every line of a PEM private key that spans several lines
     * (each line alone would not match); a key cut off by a bound is masked to the last line. As many lines
     * come out as went in.
     */
    public List<String> applyLines(List<String> lines) {
        List<String> out = new ArrayList<>(lines.size());
        boolean insideKey = false;
        for (String line : lines) {
            String l = line == null ? "" : line;
            if (insideKey) {
                Matcher end = PEM_END.matcher(l);
                if (end.find()) {
                    insideKey = false;
                    out.add(PRIVATE_KEY_MASK + apply(l.substring(end.end())));
                } else {
                    out.add(PRIVATE_KEY_MASK);
                }
                continue;
            }
            Matcher begin = PEM_BEGIN.matcher(l);
            if (begin.find() && !PEM_END.matcher(l.substring(begin.end())).find()) {
                insideKey = true;
                out.add(apply(l.substring(0, begin.start())) + PRIVATE_KEY_MASK);
                continue;
            }
            out.add(apply(l));
        }
        return out;
    }

    public Map<String, String> applyValues(Map<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, apply(v)));
        return out;
    }

    private static final String[] MARKERS = {"eyJ", "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA", "AIza",
            "ya29.", "gh", "github_pat_", "xox", "sk-", "sk_", "rk_", "pk_", "glpat-", "earer", "EARER", "asic", "ASIC",
            "PRIVATE KEY"};

    /**
     * A cheap pre-check for the built-in rules: every one of them needs a ':' or '=' in the text, one of the
     * token prefixes, or a run of 40 base64 characters. Most structured values (counts, names, reasons) have
     * none and skip the regexes.
     */
    static boolean cannotHoldSecret(String text) {
        if (text.indexOf(':') >= 0 || text.indexOf('=') >= 0) return false;
        for (String m : MARKERS) {
            if (text.contains(m)) return false;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.contains("bearer") || lower.contains("basic")) return false;
        return !hasLongRun(text);
    }

    private static boolean hasLongRun(String s) {
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean b64 = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
            run = b64 ? run + 1 : 0;
            if (run >= 40) return true;
        }
        return false;
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

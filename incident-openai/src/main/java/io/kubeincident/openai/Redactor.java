package io.kubeincident.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text before it leaves the process. The engine redacts evidence already; this second
 * pass runs on everything this module sends or keeps (prompt, audit details), so a gap upstream or a
 * secret inside an operator's runbook line still does not reach the model or the audit. Stateless and
 * thread-safe.
 */
public final class Redactor {

    public static final String MASK = "[REDACTED]";

    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)", Pattern.DOTALL);
    private static final Pattern PEM_BEGIN = Pattern.compile("-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----");
    private static final Pattern PEM_END = Pattern.compile("-----END [A-Z0-9 ]*PRIVATE KEY-----");

    /** Hint meaning "has a run of 40 base64 characters" (checked by a scan, not by contains). */
    private static final String LONG_RUN = "\u0000long-run";

    /** Ordered: specific token formats first, then the generic key=value form. */
    private static final List<Rule> RULES = List.of(
            // JSON Web Tokens (header.payload.signature, base64url)
            new Rule(List.of("eyj"), Pattern.compile("\\beyJ[A-Za-z0-9_-]{4,}+\\.[A-Za-z0-9_-]{4,}+\\.[A-Za-z0-9_-]{4,}+"), MASK),
            // Authorization header values
            new Rule(List.of("bearer"), Pattern.compile("(?i)\\b(bearer)\\s+[A-Za-z0-9._~+/=-]{8,}"), "$1 " + MASK),
            new Rule(List.of("basic"), Pattern.compile("\\b(Basic)\\s+(?=\\S*[0-9+/=])[A-Za-z0-9+/]{12,}={0,2}"), "$1 " + MASK),
            // provider key formats: OpenAI, Stripe-like, AWS access keys, GitHub, Slack, Google
            new Rule(List.of("sk-"), Pattern.compile("\\bsk-[A-Za-z0-9_-]{16,}"), MASK),
            new Rule(List.of("_live_", "_test_"), Pattern.compile("\\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}"), MASK),
            new Rule(List.of("akia", "asia"), Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"), MASK),
            new Rule(List.of("gh", "github_pat_"), Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), MASK),
            new Rule(List.of("xox"), Pattern.compile("\\bxox[abprs]-[A-Za-z0-9-]{10,}"), MASK),
            new Rule(List.of("aiza"), Pattern.compile("\\bAIza[0-9A-Za-z_-]{30,}"), MASK),
            // credentials inside URLs / connection strings: scheme://user:password@host
            new Rule(List.of("://"), Pattern.compile("\\b([a-zA-Z][a-zA-Z0-9+.-]*://[^\\s:/@]+:)[^\\s@/]+@"), "$1" + MASK + "@"),
            // key=value and "key": "value" where the key names a secret
            // (bounded quantifiers: an unbounded [\w.-]* here backtracks quadratically on long tokens)
            new Rule(List.of("pass", "pwd", "secret", "token", "key", "credential", "connection"),
                    Pattern.compile("(?i)(?<![\\w.-])([\"']?[\\w.-]{0,40}(?:password|passwd|pwd|secret|token|api[_-]?key|apikey"
                    + "|access[_-]?key|private[_-]?key|credential|connection[_-]?string)[\\w.-]{0,40}[\"']?\\s{0,4}[:=]\\s{0,4})"
                    + "(?:\"[^\"]*\"|'[^']*'|[^\\s,;&\"'}]+)"), "$1" + MASK),
            // long base64-looking blobs that mix cases and digits (keys, certs); hex digests are left alone
            new Rule(List.of(LONG_RUN), Pattern.compile("\\b(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/]*[a-z])(?=[A-Za-z0-9+/]*[0-9])"
                    + "[A-Za-z0-9+/]{40,}={0,2}"), MASK));

    private Redactor() {
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

    /** {@code text} with every secret-looking value masked; null stays null. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) return text;
        String out = text.contains("PRIVATE KEY-----")
                ? PEM_BLOCK.matcher(text).replaceAll(Matcher.quoteReplacement("[REDACTED PRIVATE KEY]")) : text;
        String lower = out.toLowerCase(java.util.Locale.ROOT);
        for (Rule rule : RULES) {
            if (rule.applies(lower)) out = rule.pattern.matcher(out).replaceAll(rule.replacement);
        }
        return out;
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

    /**
     * Redacts log lines, also masking the body of a PEM private key that spans several lines (each line
     * alone would not match).
     */
    public static List<String> redactLines(List<String> lines) {
        List<String> out = new ArrayList<>(lines.size());
        boolean insideKey = false;
        for (String line : lines) {
            String l = line == null ? "" : line;
            if (insideKey) {
                if (PEM_END.matcher(l).find()) insideKey = false;
                out.add("[REDACTED PRIVATE KEY]");
                continue;
            }
            Matcher begin = PEM_BEGIN.matcher(l);
            if (begin.find() && !PEM_END.matcher(l.substring(begin.end())).find()) {
                insideKey = true;
                out.add(redact(l.substring(0, begin.start())) + "[REDACTED PRIVATE KEY]");
                continue;
            }
            out.add(redact(l));
        }
        return out;
    }

    /**
     * A pattern and, to keep redaction cheap on long logs, the lowercase fragments one of which any match
     * must contain (none: always run).
     */
    private record Rule(List<String> hints, Pattern pattern, String replacement) {
        boolean applies(String lower) {
            if (hints.isEmpty()) return true;
            for (String h : hints) {
                if (h.equals(LONG_RUN) ? hasLongRun(lower) : lower.contains(h)) return true;
            }
            return false;
        }
    }
}

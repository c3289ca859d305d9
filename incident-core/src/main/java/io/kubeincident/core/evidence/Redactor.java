package io.kubeincident.core.evidence;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from text before it leaves the engine (to an analyzer, a log line, a notification):
 * private keys, JWTs, bearer tokens, cloud keys, passwords in URLs, {@code key=value} secrets and
 * connection strings. Conservative: a false positive costs a little context, a miss leaks a secret.
 */
public final class Redactor {
    public static final String MASK = "[REDACTED]";

    private record Rule(Pattern pattern, String replacement) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)"), MASK),
            new Rule(Pattern.compile("eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}"), MASK),
            new Rule(Pattern.compile("(?i)(bearer|basic)\\s+[A-Za-z0-9._~+/=-]{8,}"), "$1 " + MASK),
            new Rule(Pattern.compile("\\b(AKIA|ASIA)[A-Z0-9]{16}\\b"), MASK),
            new Rule(Pattern.compile("\\b(sk|pk|rk)-[A-Za-z0-9_-]{16,}\\b"), MASK),
            new Rule(Pattern.compile("\\bgh[pousr]_[A-Za-z0-9]{20,}\\b"), MASK),
            new Rule(Pattern.compile("\\bxox[abprs]-[A-Za-z0-9-]{10,}\\b"), MASK),
            new Rule(Pattern.compile("\\bAIza[0-9A-Za-z_-]{30,}\\b"), MASK),
            // scheme://user:password@host → scheme://user:[REDACTED]@host
            new Rule(Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\\s]+):[^@\\s]+@"), "$1:" + MASK + "@"),
            // password=..., api_key: "...", token=..., secret=..., AccountKey=...;
            new Rule(Pattern.compile("(?i)((?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|"
                    + "client[_-]?secret|accountkey|sharedaccesskey|auth|credentials?)[\"']?\\s*[=:]\\s*[\"']?)"
                    + "([^\\s\"',;&]+)"), "$1" + MASK));

    private Redactor() {
    }

    public static String redact(String text) {
        if (text == null || text.isEmpty()) return text;
        String out = text;
        for (Rule r : RULES) {
            Matcher m = r.pattern.matcher(out);
            if (m.find()) out = m.replaceAll(r.replacement);
        }
        return out;
    }

    public static List<String> redactAll(List<String> lines) {
        return lines.stream().map(Redactor::redact).toList();
    }
}

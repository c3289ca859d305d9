package io.kubeincident.api;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The provider key formats and log shapes the OpenAI module's own redactor covered, against the one policy. */
class RedactorFormatsTest {

    @Test
    void masksEachKindOfSecret() {
        String[][] cases = {
                {"password=hunter2", "hunter2"},
                {"DB_PASSWORD: \"s3cr3t value\"", "s3cr3t value"},
                {"{\"api_key\": \"abc123\"}", "abc123"},
                {"client_secret='xyz'", "xyz"},
                {"Authorization: Bearer abcdefghijklmnop", "abcdefghijklmnop"},
                {"Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="},
                {"jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl here", "eyJhbGciOiJIUzI1NiJ9"},
                {"key sk-proj-abcdefghijklmnopqrstu", "sk-proj-abcdefghijklmnopqrstu"},
                {"AKIAABCDEFGHIJKLMNOP", "AKIAABCDEFGHIJKLMNOP"},
                {"ghp_abcdefghijklmnopqrstuvwxyz0123", "ghp_abcdefghijklmnopqrstuvwxyz0123"},
                {"xoxb-1234567890-abcdefghij", "xoxb-1234567890-abcdefghij"},
                {"mongodb://admin:Pa55word@mongo:27017/db", "Pa55word"},
                {"blob QWxhZGRpbjpvcGVuIHNlc2FtZQ9xYzEyMzQ1Njc4OTBhYmNkZWZnaGlqa2xtbm9w end", "QWxhZGRpbjpvcGVuIHNlc2FtZQ9x"},
                {"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA"},
        };
        for (String[] c : cases) {
            String out = Redactor.redact(c[0]);
            lacks(out, c[1]);
            contains(out, "[REDACTED");
        }
    }

    @Test
    void leavesOrdinaryDiagnosticTextAlone() {
        List<String> plain = List.of(
                "Back-off restarting failed container app in pod web-7c9d8-abcde",
                "Failed to pull image \"nonexistent-repo/bad-image:latest\": pull access denied",
                "image registry.local/web@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
                "basic authentication failed for user admin",
                "the token budget is spent",
                "OOMKilled: container exceeded its memory limit of 100Mi",
                "connection refused: db.default.svc:5432");
        for (String s : plain) assertEquals(s, Redactor.redact(s));
    }

    @Test
    void privateKeySpanningLogLinesIsMaskedLineByLine() {
        List<String> out = Redactor.redactLines(List.of("loading key", "-----BEGIN PRIVATE KEY-----", "MIIEvQIBADANBg",
                "kqhkiG9w0BAQEF", "-----END PRIVATE KEY-----", "key loaded"));

        assertEquals(List.of("loading key", "[REDACTED PRIVATE KEY]", "[REDACTED PRIVATE KEY]", "[REDACTED PRIVATE KEY]",
                "[REDACTED PRIVATE KEY]", "key loaded"), out);
    }

    @Test
    void redactBoundedBoundsTheTextAndTheWork() {
        String out = Redactor.redactBounded("password=hunter2 " + "x".repeat(100), 20);
        lacks(out, "hunter2");
        contains(out, "chars in all");
    }

    static void contains(String haystack, String... needles) {
        for (String n : needles) {
            assertTrue(haystack != null && haystack.contains(n), () -> "expected to contain <" + n + "> but was:\n" + haystack);
        }
    }

    static void lacks(String haystack, String... needles) {
        for (String n : needles) {
            assertTrue(haystack == null || !haystack.contains(n), () -> "expected NOT to contain <" + n + "> but was:\n" + haystack);
        }
    }
}

package io.kubeincident.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RedactorTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Authorization: Bearer abcDEF123456789.xyz                 | abcDEF123456789",
            "token sent as Bearer abcDEF1234567 upstream               | abcDEF1234567",
            "curl -H 'Authorization: Basic dXNlcjpodW50ZXIy'            | dXNlcjpodW50ZXIy",
            "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.sgn4sgn4Z  | eyJzdWIiOiJ1c2VyIn0",
            "using key AKIAIOSFODNN7EXAMPLE for s3                     | AKIAIOSFODNN7EXAMPLE",
            "gcp key AIzaSyA1234567890abcdefghijklmnopqrstuv             | AIzaSyA1234567890abcdefghijklmnopqrstuv",
            "gh token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789          | ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
            "slack xoxb-123456789012-abcdefghij                         | xoxb-123456789012-abcdefghij",
            "OPENAI sk-proj-abcdefghijklmnopqrstuvwx                     | sk-proj-abcdefghijklmnopqrstuvwx",
            "dial postgres://app:s3cr3tPw@db.shop:5432/orders failed    | s3cr3tPw",
            "redis at redis://:hunter2@cache:6379/0                      | hunter2",
            "DB_PASSWORD=hunter2 loaded                                  | hunter2",
            "--client-secret=abc123xyz                                   | abc123xyz",
            "config: {\"apiKey\": \"k-123-456\", \"region\": \"eu\"}     | k-123-456",
            "password: \"p@ss word\"                                     | p@ss word",
            "Server=tcp:db;User Id=app;Password=Xy!9zz;Encrypt=true     | Xy!9zz",
            "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9vYmFy==;EndpointSuffix=core | Zm9vYmFy",
            "GET https://x.blob.core.windows.net/c/b?sv=2020&sig=AbCd%2Bef%3D&se=2030 | AbCd%2Bef",
            "jdbc:mysql://db/shop?user=app&password=topsecret&ssl=true  | topsecret",
    })
    void masksSecrets(String text, String secret) {
        String out = Redactor.redact(text);
        assertFalse(out.contains(secret.trim()), () -> out);
        assertTrue(out.contains("REDACTED"), out);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "dial tcp 10.96.0.12:5432: connect: connection refused",
            "configmap \"web-config\" not found",
            "couldn't find key password in Secret shop/db",
            "Back-off restarting failed container app in pod web-7d4b9c-x2kq9_shop",
            "GET /api/v1/namespaces/shop/pods 200 12ms",
            "0/3 nodes are available: 3 Insufficient memory.",
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
    })
    void leavesOrdinaryTextAlone(String text) {
        assertEquals(text, Redactor.redact(text));
    }

    @Test
    void keepsKeysAndContextAroundTheMask() {
        assertEquals("dial postgres://app:[REDACTED]@db:5432/orders", Redactor.redact("dial postgres://app:pw@db:5432/orders"));
        assertEquals("DB_PASSWORD=[REDACTED] user=app", Redactor.redact("DB_PASSWORD=hunter2 user=app"));
        assertEquals("{\"password\":\"[REDACTED]\",\"user\":\"app\"}", Redactor.redact("{\"password\":\"hunter2\",\"user\":\"app\"}"));
        assertNull(Redactor.redact(null));
        assertEquals("", Redactor.redact(""));
    }

    @Test
    void privateKeySpreadOverLinesIsMaskedWhole() {
        List<String> lines = List.of("loading key", "-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEAv1x", "Zq9Lb2xk3",
                "-----END RSA PRIVATE KEY-----", "started");
        List<String> out = Redactor.redactLines(lines);
        String joined = String.join("\n", out);
        assertFalse(joined.contains("MIIEowIBAAKCAQEAv1x"), joined);
        assertFalse(joined.contains("Zq9Lb2xk3"), joined);
        contains(joined, "loading key", "[REDACTED PRIVATE KEY]", "started");
        // A key cut off by the log bound is masked to the end.
        String cut = Redactor.redact("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA");
        assertFalse(cut.contains("b3BlbnNzaC1rZXktdjEAAAAA"), cut);
    }

    @Test
    void extraPatternsAreAppliedAndBadOnesRejected() {
        Redactor r = Redactor.withExtraPatterns(List.of("ACME-[0-9]{6}"));
        assertEquals("customer [REDACTED] failed", r.apply("customer ACME-123456 failed"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Redactor.withExtraPatterns(List.of("(")));
        contains(e.getMessage(), "does not compile");
    }

    static void contains(String text, String... parts) {
        for (String p : parts) assertTrue(text != null && text.contains(p), () -> "'" + text + "' should contain '" + p + "'");
    }
}

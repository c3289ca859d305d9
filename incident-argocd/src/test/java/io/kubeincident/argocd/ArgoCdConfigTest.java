package io.kubeincident.argocd;

import io.kubeincident.api.ConfigView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgoCdConfigTest {

    private static ArgoCdConfig load(Map<String, String> values, Map<String, String> env) {
        return ArgoCdConfig.from(ConfigView.of(values), env::get);
    }

    @Test
    void defaultsWithAToken() {
        ArgoCdConfig c = load(Map.of("argocd.server_url", "https://argocd.example.com/", "argocd.token", "t"), Map.of());
        assertEquals("https://argocd.example.com", c.serverUrl().toString());
        assertEquals("app.kubernetes.io/instance", c.trackingLabel());
        assertEquals(ArgoCdConfig.TrackingMethod.ANNOTATION_AND_LABEL, c.trackingMethod());
        assertFalse(c.insecure());
        assertFalse(c.allowDisableAutosync());
        assertFalse(c.sessionAuth());
        assertEquals(Duration.ofMinutes(2), c.degradedThreshold());
        assertEquals(Duration.ofMinutes(5), c.waitTimeout());
        assertEquals(2, c.maxRetries());
    }

    @Test
    void everyProblemIsListedAtOnce() {
        Map<String, String> bad = new HashMap<>();
        bad.put("argocd.server_url", "ftp://argocd");
        bad.put("argocd.insecure", "maybe");
        bad.put("argocd.tracking_method", "guess");
        bad.put("argocd.tracking_label", "not a label!");
        bad.put("argocd.max_retries", "99");
        bad.put("argocd.wait_timeout", "soon");
        bad.put("argocd.poll_interval", "0s");
        bad.put("argocd.degraded_threshold", "-5m");
        bad.put("argocd.allow_disable_autosync", "perhaps");
        bad.put("argocd.tokn", "typo");
        bad.put("argocd.username", "admin");
        ArgoCdConfigException e = assertThrows(ArgoCdConfigException.class, () -> load(bad, Map.of()));
        List<String> p = e.problems();
        assertTrue(p.stream().anyMatch(s -> s.startsWith("argocd.server_url")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("argocd.insecure")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("argocd.tracking_method")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("argocd.tracking_label")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("argocd.max_retries")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("argocd.wait_timeout")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("argocd.poll_interval")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("argocd.degraded_threshold")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("argocd.allow_disable_autosync")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("argocd.tokn: unknown key")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("argocd.password: required")), p.toString());
        assertTrue(p.size() >= 11, p.toString());
        assertTrue(e.getMessage().contains("11 problems") || e.getMessage().contains("problems"), e.getMessage());
    }

    @Test
    void missingServerUrlAndCredentialsAreReported() {
        ArgoCdConfigException e = assertThrows(ArgoCdConfigException.class, () -> load(Map.of(), Map.of()));
        assertTrue(e.problems().stream().anyMatch(s -> s.contains("server_url: required")), e.problems().toString());
        assertTrue(e.problems().stream().anyMatch(s -> s.contains("no credentials")), e.problems().toString());
    }

    @Test
    void tokenAndPasswordTogetherIsAmbiguous() {
        ArgoCdConfigException e = assertThrows(ArgoCdConfigException.class, () -> load(Map.of(
                "argocd.server_url", "https://a", "argocd.token", "t", "argocd.username", "u", "argocd.password", "p"),
                Map.of()));
        assertTrue(e.problems().get(0).contains("both set"), e.problems().toString());
    }

    @Test
    void secretsFromEnvironmentAndFile(@TempDir Path dir) throws Exception {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "s3cret\n");
        ArgoCdConfig c = load(Map.of("argocd.server_url", "https://a", "argocd.username", "admin",
                "argocd.password_file", pw.toString()), Map.of());
        assertTrue(c.sessionAuth());
        assertEquals("s3cret", c.password());

        ArgoCdConfig t = load(Map.of("argocd.server_url", "https://a", "argocd.token_env", "MY_TOKEN"),
                Map.of("MY_TOKEN", "tok"));
        assertEquals("tok", t.token());

        ArgoCdConfigException e = assertThrows(ArgoCdConfigException.class, () -> load(Map.of(
                "argocd.server_url", "https://a", "argocd.token_env", "MISSING"), Map.of()));
        assertEquals(1, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).contains("MISSING is not set"));

        ArgoCdConfigException f = assertThrows(ArgoCdConfigException.class, () -> load(Map.of(
                "argocd.server_url", "https://a", "argocd.token_file", dir.resolve("nope").toString()), Map.of()));
        assertTrue(f.problems().get(0).contains("cannot read"), f.problems().toString());
    }

    @Test
    void conventionalEnvironmentVariablesAreTheFallback() {
        ArgoCdConfig c = load(Map.of("argocd.server_url", "https://a"),
                Map.of("ARGOCD_USERNAME", "admin", "ARGOCD_PASSWORD", "pw"));
        assertEquals("admin", c.username());
        assertEquals("pw", c.password());
        ArgoCdConfig t = load(Map.of("argocd.server_url", "https://a"), Map.of("ARGOCD_AUTH_TOKEN", "jwt"));
        assertEquals("jwt", t.token());
        assertNull(t.username());
    }

    @Test
    void caFileMustHoldAPemCertificateAndExcludesInsecure(@TempDir Path dir) throws Exception {
        Path notPem = dir.resolve("ca.txt");
        Files.writeString(notPem, "hello");
        ArgoCdConfigException e = assertThrows(ArgoCdConfigException.class, () -> load(Map.of(
                "argocd.server_url", "https://a", "argocd.token", "t", "argocd.ca_file", notPem.toString(),
                "argocd.insecure", "true"), Map.of()));
        assertTrue(e.problems().stream().anyMatch(s -> s.contains("holds no PEM certificate")), e.problems().toString());
        assertTrue(e.problems().stream().anyMatch(s -> s.contains("insecure and argocd.ca_file")), e.problems().toString());
    }

    @Test
    void toStringNeverShowsSecrets() {
        ArgoCdConfig c = load(Map.of("argocd.server_url", "https://a", "argocd.username", "admin",
                "argocd.password", "hunter2-secret"), Map.of());
        assertFalse(c.toString().contains("hunter2"), c.toString());
        ArgoCdConfig t = load(Map.of("argocd.server_url", "https://a", "argocd.token", "eyJtoken"), Map.of());
        assertFalse(t.toString().contains("eyJtoken"), t.toString());
    }

    @Test
    void enabledOnlyWithAServerUrl() {
        assertFalse(ArgoCdConfig.enabled(ConfigView.empty()));
        assertTrue(ArgoCdConfig.enabled(ConfigView.of(Map.of("argocd.server_url", "https://a"))));
        assertFalse(ArgoCdConfig.enabled(ConfigView.of(Map.of("argocd.server_url", "https://a", "argocd.enabled", "false"))));
    }

    @Test
    void trackingMethodsParse() {
        for (String m : List.of("label", "annotation", "annotation+label", "LABEL")) {
            ArgoCdConfig c = load(Map.of("argocd.server_url", "https://a", "argocd.token", "t",
                    "argocd.tracking_method", m), Map.of());
            assertEquals(m.toLowerCase(), c.trackingMethod().id());
        }
    }
}

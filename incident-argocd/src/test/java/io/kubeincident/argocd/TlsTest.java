package io.kubeincident.argocd;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.kubeincident.api.ConfigView;
import io.kubeincident.argocd.client.ArgoCdClient;
import io.kubeincident.argocd.client.ArgoError;
import io.kubeincident.argocd.client.ArgoResult;
import io.kubeincident.argocd.model.Application;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.kubeincident.argocd.ArgoStub.app;
import static io.kubeincident.argocd.ArgoStub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TLS against an HTTPS stub whose certificate is signed by nobody the JDK knows. */
class TlsTest {
    @TempDir
    static Path dir;
    static WireMockServer server;
    static Path caPem;

    @BeforeAll
    static void start() throws Exception {
        Path ks = dir.resolve("server.p12");
        caPem = dir.resolve("ca.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "argocd", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keystore", ks.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        run(keytool, "-exportcert", "-rfc", "-alias", "argocd", "-keystore", ks.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-file", caPem.toString());
        server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").httpDisabled(true)
                .dynamicHttpsPort().keystorePath(ks.toString()).keystoreType("PKCS12")
                .keystorePassword("changeit").keyManagerPassword("changeit"));
        server.start();
        server.stubFor(get(urlEqualTo("/api/v1/applications/web")).willReturn(json(200, app("web"))));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
        assertEquals(0, p.exitValue(), "keytool failed: " + out);
    }

    private static ArgoResult<Application> fetch(Map<String, String> extra) {
        Map<String, String> m = new HashMap<>(Map.of("argocd.server_url", "https://127.0.0.1:" + server.httpsPort(),
                "argocd.token", "t", "argocd.max_retries", "0"));
        m.putAll(extra);
        return new ArgoCdClient(ArgoCdConfig.from(ConfigView.of(m), k -> null)).getApplication(AppRef.of("web"));
    }

    @Test
    void unknownCaIsRefusedWithAHint() {
        ArgoResult<Application> r = fetch(Map.of());
        assertEquals(ArgoError.Kind.TLS, r.error().kind());
        assertTrue(r.error().message().contains("argocd.ca_file"), r.error().message());
        assertTrue(!r.error().retryable());
    }

    @Test
    void customCaIsTrusted() {
        ArgoResult<Application> r = fetch(Map.of("argocd.ca_file", caPem.toString()));
        assertTrue(r.isOk(), () -> r.error().describe());
        assertEquals("web", r.value().name());
    }

    @Test
    void insecureSkipsVerification() {
        ArgoResult<Application> r = fetch(Map.of("argocd.insecure", "true"));
        assertTrue(r.isOk(), () -> r.error().describe());
        server.verify(1, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlEqualTo("/api/v1/applications/web"))
                .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer t")));
    }
}

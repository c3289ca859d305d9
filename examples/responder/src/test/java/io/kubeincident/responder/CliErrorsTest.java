package io.kubeincident.responder;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mistakes a user makes: one clear line (or one line per configuration problem), a non-zero exit, no stack trace. */
class CliErrorsTest {
    @TempDir
    Path dir;

    private static void assertOneCleanError(Cli r, int code, String expected) {
        assertEquals(code, r.exitCode(), r.err());
        String errors = r.errorLines();
        assertTrue(errors.startsWith("error: "), errors);
        assertTrue(errors.contains(expected), "expected '" + expected + "' in: " + errors);
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertEquals(1, errors.lines().count(), "one line: " + errors);
    }

    @Test
    void missingKubeconfigIsOneLine() {
        Cli r = Cli.run("scan", "--kubeconfig", dir.resolve("nope").toString());
        assertOneCleanError(r, ExitCodes.USAGE, "kubeconfig " + dir.resolve("nope") + " does not exist");
    }

    @Test
    void noKubeconfigAnywhereSaysWhereItLooked() {
        Cli r = Cli.run(Map.of("HOME", dir.toString()), "scan");
        assertOneCleanError(r, ExitCodes.USAGE, "no kubeconfig found");
    }

    @Test
    void malformedKubeconfigIsOneLine() throws IOException {
        Path f = dir.resolve("broken");
        Files.writeString(f, "clusters: [\n  - {name: x\n");
        Cli r = Cli.run("scan", "--kubeconfig", f.toString());
        assertOneCleanError(r, ExitCodes.USAGE, "is not valid");
    }

    @Test
    void garbageKubeconfigsSayWhatIsWrongWithTheFile() throws IOException {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("just some text\n", "the top level is a text, not a mapping with clusters, contexts and users");
        cases.put("- a\n- b\n", "the top level is a list");
        cases.put("foo: bar\n", "no clusters and no contexts");
        cases.put("clusters: hello\ncontexts: []\n", "clusters must be a list, is a text");
        cases.put("clusters:\n  - 42\n", "clusters[0] must be a mapping with name and cluster, is a number");
        cases.put("clusters:\n  - name: x\n    cluster: nope\n", "clusters[0].cluster must be a mapping, is a text");
        cases.put("", "the file is empty");
        cases.put("\u0000\u0001binary: [", "not YAML");
        int i = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path f = dir.resolve("garbage-" + i++);
            Files.writeString(f, c.getKey());
            Cli r = Cli.run("scan", "--kubeconfig", f.toString());
            assertOneCleanError(r, ExitCodes.USAGE, "kubeconfig " + f + " is not valid: " + c.getValue());
            assertFalse(r.err().contains("cast"), r.err());
        }
    }

    @Test
    void unknownContextListsTheKnownOnes() throws IOException {
        Path kc = Cli.kubeconfig(dir, "http://127.0.0.1:1");
        Cli r = Cli.run("scan", "--kubeconfig", kc.toString(), "--context", "prod");
        assertOneCleanError(r, ExitCodes.USAGE, "context 'prod' is not in kubeconfig");
        assertTrue(r.err().contains("(contexts: test)"), r.err());
    }

    @Test
    void unreachableClusterIsOneLine() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path kc = Cli.kubeconfig(dir, "http://127.0.0.1:" + port);
        Cli r = Cli.run("scan", "--kubeconfig", kc.toString());
        assertOneCleanError(r, ExitCodes.CLUSTER, "cannot reach the Kubernetes API at http://127.0.0.1:" + port
                + ": connection refused");
    }

    @Test
    void forbiddenNamesVerbAndResource() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/", ex -> {
            byte[] body = """
                    {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
                     "message":"pods is forbidden: User \\"system:serviceaccount:ops:viewer\\" cannot list resource \\"pods\\" in API group \\"\\" in the namespace \\"payments\\"",
                     "reason":"Forbidden","details":{"kind":"pods"},"code":403}
                    """.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(403, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            Path kc = Cli.kubeconfig(dir, "http://127.0.0.1:" + server.getAddress().getPort());
            Cli r = Cli.run("scan", "--kubeconfig", kc.toString(), "-n", "payments");
            assertOneCleanError(r, ExitCodes.CLUSTER, "missing permission: cannot list pods in namespace payments");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void unauthorizedSaysCredentials() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(401, -1);
            ex.close();
        });
        server.start();
        try {
            Path kc = Cli.kubeconfig(dir, "http://127.0.0.1:" + server.getAddress().getPort());
            Cli r = Cli.run("scan", "--kubeconfig", kc.toString());
            assertOneCleanError(r, ExitCodes.CLUSTER, "rejected the credentials (401 Unauthorized)");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void invalidConfigurationListsEveryProblem() throws IOException {
        Path cfg = dir.resolve("config.yaml");
        Files.writeString(cfg, """
                monitoring:
                  scan_interval: soon
                  confidence_threshold: 1.5
                remediation:
                  mode: sometimes
                logging:
                  level: LOUD
                alerting:
                  webhook_url: ftp://example.invalid/hook
                """);
        Cli r = Cli.run("scan", "--config", cfg.toString(), "--kubeconfig", dir.resolve("unused").toString());
        assertEquals(ExitCodes.USAGE, r.exitCode(), r.err());
        String e = r.errorLines();
        assertTrue(e.startsWith("error: invalid configuration (5 problems):"), e);
        for (String key : new String[]{"monitoring.scan_interval", "monitoring.confidence_threshold", "remediation.mode",
                "logging.level", "alerting.webhook_url"}) {
            assertTrue(e.contains("  - " + key), key + " listed in: " + e);
        }
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void environmentOverridesAreValidatedToo() throws IOException {
        Cli r = Cli.run(Map.of("KUBE_INCIDENT_REMEDIATION__MODE", "yolo"), "scan", "--kubeconfig",
                dir.resolve("unused").toString());
        assertOneCleanError(r, ExitCodes.USAGE, "remediation.mode: must be auto, approval or dry-run, was: yolo");
    }

    @Test
    void yamlThatIsNotYamlIsOneLine() throws IOException {
        Path cfg = dir.resolve("config.yaml");
        Files.writeString(cfg, "monitoring: [unclosed\n");
        Cli r = Cli.run("scan", "--config", cfg.toString());
        assertOneCleanError(r, ExitCodes.USAGE, "not valid YAML");
    }

    @Test
    void missingConfigFileIsOneLine() {
        Cli r = Cli.run("scan", "--config", dir.resolve("absent.yaml").toString());
        assertOneCleanError(r, ExitCodes.USAGE, "configuration file " + dir.resolve("absent.yaml") + " does not exist");
    }

    @Test
    void badOptionValueIsOneLineAndAPointerToHelp() {
        Cli r = Cli.run("scan", "--output", "xml");
        assertEquals(ExitCodes.USAGE, r.exitCode());
        List<String> lines = r.err().lines().toList();
        assertEquals(2, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).contains("--output"), r.err());
        assertEquals("see 'responder scan --help'", lines.get(1));
        assertFalse(r.err().contains("Usage:"), "not the whole usage: " + r.err());
    }

    @Test
    void runReportsAnUnreachableClusterTheSameWay() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path kc = Cli.kubeconfig(dir, "http://127.0.0.1:" + port);
        Cli r = Cli.run("run", "--kubeconfig", kc.toString(), "--log-format", "text");
        assertOneCleanError(r, ExitCodes.CLUSTER, "cannot reach the Kubernetes API");
    }

    @Test
    void runWithAMissingTokenFileIsOneLine() {
        Cli r = Cli.run("run", "--api-token-file", dir.resolve("token").toString(), "--log-format", "text");
        assertOneCleanError(r, ExitCodes.USAGE, "--api-token-file " + dir.resolve("token") + " cannot be read");
    }

    @Test
    void inClusterOutsideAPodIsOneLine() {
        Cli r = Cli.run("scan", "--in-cluster");
        assertOneCleanError(r, ExitCodes.USAGE, "--in-cluster: no service account token");
    }

    @Test
    void theRuntimeJarPointsToTheDemoJar() {
        Cli r = Cli.run("demo", "--timeout", "5s");
        assertOneCleanError(r, ExitCodes.USAGE, "the demo is not part of the runtime jar; build it and run: java -jar "
                + "examples/demo/target/demo.jar demo");
    }

    @Test
    void unknownCommandIsAUsageError() {
        Cli r = Cli.run("explode");
        assertEquals(ExitCodes.USAGE, r.exitCode());
        assertTrue(r.err().contains("explode"), r.err());
    }
}

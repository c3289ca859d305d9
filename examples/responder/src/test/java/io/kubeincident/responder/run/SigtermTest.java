package io.kubeincident.responder.run;

import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code responder run} in its own JVM against the loopback API server: SIGTERM (what Kubernetes sends)
 * stops it in order, releases the Lease and exits 0, with no ERROR line on the way.
 */
class SigtermTest {
    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension();

    @TempDir
    Path dir;

    @Test
    void sigtermReleasesTheLeaseAndExitsZeroWithoutErrors() throws Exception {
        new CoreV1Api(kube.apiClient()).createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("kube-incident")))
                .execute();
        Path kc = dir.resolve("kubeconfig");
        Files.writeString(kc, """
                apiVersion: v1
                kind: Config
                clusters: [{name: test, cluster: {server: "%s"}}]
                contexts: [{name: test, context: {cluster: test, user: test}}]
                current-context: test
                users: [{name: test, user: {token: not-a-secret}}]
                """.formatted(kube.apiClient().getBasePath()));
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "io.kubeincident.responder.Main", "run", "--kubeconfig", kc.toString(), "--lease-namespace", "kube-incident",
                "--identity", "solo", "--http-port", "0", "--bind", "127.0.0.1")
                .redirectErrorStream(true);
        pb.environment().remove("KUBECONFIG");
        Process p = pb.start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (Exception ignored) {
                // the process ended
            }
        });
        reader.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (lines.stream().noneMatch(l -> l.contains("engine started")) && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertTrue(lines.stream().anyMatch(l -> l.contains("engine started")), "it leads and runs: " + lines);
            V1Lease held = new CoordinationV1Api(kube.apiClient()).readNamespacedLease("kube-incident-responder", "kube-incident")
                    .execute();
            assertEquals("solo", held.getSpec().getHolderIdentity());

            p.destroy();  // SIGTERM
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "it stops");
            reader.join(5000);
            assertEquals(0, p.exitValue(), String.join("\n", lines));
            assertTrue(lines.stream().noneMatch(l -> l.contains("\"level\":\"ERROR\"")), "no ERROR line:\n" + String.join("\n", lines));
            V1Lease released = new CoordinationV1Api(kube.apiClient()).readNamespacedLease("kube-incident-responder", "kube-incident")
                    .execute();
            String holder = released.getSpec().getHolderIdentity();
            assertTrue(holder == null || holder.isEmpty(), "the Lease is free for a standby: " + holder + "\n" + String.join("\n", lines));
        } finally {
            p.destroyForcibly();
        }
    }
}

package io.kubeincident.responder.demo;

import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.PodBuilder;
import io.kubeincident.testkit.server.LoopbackKubeServer;
import io.kubeincident.testkit.server.RbacDecision;
import io.kubeincident.testkit.sim.ControllerEmulator;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.custom.Quantity;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The demo's simulated cluster: the test kit's loopback API server with a controller emulator (it
 * recreates deleted pods of a ReplicaSet and rolls Deployments out, making the new pods Ready), and the
 * four incidents the demo shows, created as a kubelet would report them.
 */
public final class DemoCluster implements AutoCloseable {
    /** One incident the demo creates: where, how a user would have made it, and what to expect. */
    /**
     * @param types incident types that show this one (any of them), so that a catalog without such a
     *              detector is told apart from a detector that missed it
     */
    public record Seeded(String kind, String namespace, String name, String howMade, java.util.Set<String> types) {
        public String key() {
            return kind + "/" + namespace + "/" + name;
        }
    }

    public static final List<Seeded> SEEDED = List.of(
            new Seeded("Pod", "default", "bad-image-pod",
                    "kubectl run bad-image-pod --image=nonexistent-repo/bad-image:latest", java.util.Set.of("image-pull")),
            new Seeded("Pod", "default", "crashing-pod",
                    "kubectl run crashing-pod --image=busybox --command -- sh -c \"exit 1\"", java.util.Set.of("crash-loop")),
            new Seeded("Pod", "default", "memory-hog",
                    "busybox writing 1000 MiB under a 100Mi memory limit", java.util.Set.of("oom-killed", "crash-loop")),
            new Seeded("Deployment", "shop", "checkout",
                    "Deployment rolled out checkout:1.5.0, which crash-loops; revision 1 (checkout:1.4.2) was healthy",
                    java.util.Set.of("crash-loop", "rollout-stuck")));

    private final LoopbackKubeServer server;
    private final ControllerEmulator emulator;

    private DemoCluster(LoopbackKubeServer server, ControllerEmulator emulator) {
        this.server = server;
        this.emulator = emulator;
    }

    /** Starts the server, creates the incidents, then starts the emulator (it leaves what exists alone). */
    public static DemoCluster start() throws ApiException {
        return start(true);
    }

    /** As {@link #start()}; without the emulator nothing but the engine talks to the server once it is set up. */
    public static DemoCluster start(boolean emulate) throws ApiException {
        LoopbackKubeServer server = LoopbackKubeServer.start();
        try {
            ApiClient client = server.apiClient();
            namespace(client, "default");
            namespace(client, "shop");
            PodBuilder.pod("default", "bad-image-pod").image("nonexistent-repo/bad-image:latest")
                    .container("bad-image-pod").imagePullBackOff().create(client);
            PodBuilder.pod("default", "crashing-pod")
                    .spec(new V1PodSpec().addContainersItem(new V1Container().name("crashing-pod").image("busybox")
                            .command(List.of("sh", "-c", "exit 1"))))
                    .container("crashing-pod").image("busybox").crashLoopBackOff(5).create(client);
            server.expectPodLog("default", "crashing-pod", "crashing-pod", true, "");
            PodBuilder.pod("default", "memory-hog")
                    .spec(new V1PodSpec().addContainersItem(new V1Container().name("memory-hog").image("busybox")
                            .command(List.of("sh", "-c", "dd if=/dev/zero of=/tmp/memory.dat bs=1M count=1000"))
                            .resources(new V1ResourceRequirements().limits(Map.of("memory", Quantity.fromString("100Mi"))))))
                    .container("memory-hog").image("busybox").memoryLimit("100Mi").oomKilled(3).create(client);
            DeploymentBuilder.deployment("shop", "checkout").replicas(2).image("registry.example.com/checkout:1.4.2")
                    .crashLoopingRollout("registry.example.com/checkout:1.5.0").progressDeadlineExceeded().create(client);
            ControllerEmulator emulator = emulate ? ControllerEmulator.builder(client).namespaces("default", "shop")
                    .period(Duration.ofMillis(200)).start() : null;
            return new DemoCluster(server, emulator);
        } catch (ApiException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static void namespace(ApiClient client, String ns) throws ApiException {
        try {
            new CoreV1Api(client).createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(ns))).execute();
        } catch (ApiException e) {
            if (e.getCode() != 409) throw e;
        }
    }

    /** The administrator's client (creates the incidents, plays the controllers): never subject to RBAC. */
    public ApiClient apiClient() {
        return server.apiClient();
    }

    /**
     * Switches RBAC enforcement on with the roles and bindings of {@code rbacYaml} (as {@code responder rbac}
     * prints them, with bindings to {@code namespace/serviceAccount}), and returns that service account's client.
     */
    public ApiClient underRbac(String rbacYaml, String namespace, String serviceAccount) {
        server.loadRbac(rbacYaml);
        server.enforceRbac();
        return server.apiClientAs(namespace, serviceAccount);
    }

    /** What the server decided on the service account's requests (empty unless {@link #underRbac} was called). */
    public List<RbacDecision> rbacDecisions() {
        return server.rbacDecisions();
    }

    public ApiClient informerApiClient() {
        return server.informerApiClient();
    }

    /** The requests the server has served, "METHOD /path?query". */
    public List<String> requestLog() {
        return server.requestLog();
    }

    public void clearRequestLog() {
        server.clearRequestLog();
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    @Override
    public void close() {
        if (emulator != null) emulator.close();
        server.close();
    }
}

package io.kubeincident.testkit.sim;

import io.kubeincident.testkit.Await;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.PodStates;
import io.kubeincident.testkit.scenario.Workload;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.util.PatchUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControllerEmulatorTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static List<V1Pod> pods(ApiClient client, String ns) {
        try {
            return new CoreV1Api(client).listNamespacedPod(ns).execute().getItems();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void recreatesADeletedPodWithANewNameAndReady(ApiClient client) throws Exception {
        Workload w = DeploymentBuilder.deployment("default", "web").replicas(2).pods(p -> p.crashLoopBackOff(3)).create(client);
        try (ControllerEmulator emu = ControllerEmulator.builder(client).start()) {
            String victim = w.pods().get(0).getMetadata().getName();
            new CoreV1Api(client).deleteNamespacedPod(victim, "default").execute();
            Await.until(WAIT, () -> pods(client, "default").size() == 2
                    && pods(client, "default").stream().noneMatch(p -> p.getMetadata().getName().equals(victim)), "replacement pod");
            V1Pod fresh = pods(client, "default").stream().filter(PodStates::ready).findFirst().orElseThrow();
            assertTrue(fresh.getMetadata().getName().startsWith(w.current().getMetadata().getName() + "-"));
            assertEquals(w.current().getMetadata().getUid(), fresh.getMetadata().getOwnerReferences().get(0).getUid());
            assertEquals("0", fresh.getStatus().getContainerStatuses().get(0).getRestartCount().toString());
            assertEquals(1, emu.podsCreated());
        }
    }

    @Test
    void leavesTheScenarioAloneUntilSomethingChanges(ApiClient client) throws Exception {
        DeploymentBuilder.deployment("shop", "cart").image("cart:1").crashLoopingRollout("cart:2").create(client);
        Set<String> before = pods(client, "shop").stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
        ControllerEmulator emu = ControllerEmulator.builder(client).build();
        for (int i = 0; i < 3; i++) emu.reconcileOnce();
        assertEquals(before, pods(client, "shop").stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet()));
        assertEquals(0, emu.podsCreated());
        assertEquals(3, emu.passes());
    }

    @Test
    void rollbackMakesThePreviousRevisionCurrentAndReady(ApiClient client) throws Exception {
        Workload w = DeploymentBuilder.deployment("shop", "cart").replicas(3).image("cart:1").crashLoopingRollout("cart:2").create(client);
        V1ReplicaSet previous = w.previous().orElseThrow();
        AppsV1Api apps = new AppsV1Api(client);
        ControllerEmulator emu = ControllerEmulator.builder(client).build();
        emu.reconcileOnce();
        // A rollback writes the previous revision's template back into the Deployment.
        V1Deployment d = apps.readNamespacedDeployment("cart", "shop").execute();
        d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("cart:1");
        apps.replaceNamespacedDeployment("cart", "shop", d).execute();
        for (int i = 0; i < 3; i++) emu.reconcileOnce();

        V1ReplicaSet old = apps.readNamespacedReplicaSet(previous.getMetadata().getName(), "shop").execute();
        assertEquals("3", old.getMetadata().getAnnotations().get(ControllerEmulator.REVISION));
        assertEquals(3, old.getSpec().getReplicas());
        V1ReplicaSet failed = apps.readNamespacedReplicaSet(w.current().getMetadata().getName(), "shop").execute();
        assertEquals(0, failed.getSpec().getReplicas());
        List<V1Pod> pods = pods(client, "shop");
        assertEquals(3, pods.size());
        assertTrue(pods.stream().allMatch(PodStates::ready));
        V1Deployment after = apps.readNamespacedDeployment("cart", "shop").execute();
        assertEquals("3", after.getMetadata().getAnnotations().get(ControllerEmulator.REVISION));
        assertEquals(3, after.getStatus().getReadyReplicas());
        assertEquals(3, after.getStatus().getUpdatedReplicas());
        assertTrue(after.getStatus().getConditions().stream().anyMatch(c -> "NewReplicaSetAvailable".equals(c.getReason())));
    }

    @Test
    void templateChangeCreatesANewRevisionAndScaleAddsPods(ApiClient client) throws Exception {
        DeploymentBuilder.deployment("default", "api").replicas(1).create(client);
        AppsV1Api apps = new AppsV1Api(client);
        try (ControllerEmulator emu = ControllerEmulator.builder(client).namespaces("default").period(Duration.ofMillis(50)).start()) {
            PatchUtils.patch(V1Deployment.class, () -> apps.patchNamespacedDeployment("api", "default", new V1Patch(
                    "{\"spec\":{\"replicas\":2,\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\"now\"}}}}}"))
                    .buildCall(null), V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, client);
            Await.until(WAIT, () -> {
                try {
                    V1Deployment d = apps.readNamespacedDeployment("api", "default").execute();
                    return Integer.valueOf(2).equals(d.getStatus().getReadyReplicas()) && Integer.valueOf(2).equals(d.getStatus().getUpdatedReplicas());
                } catch (Exception e) {
                    return false;
                }
            }, "restarted deployment with 2 ready pods");
            List<V1ReplicaSet> sets = apps.listNamespacedReplicaSet("default").execute().getItems();
            assertEquals(2, sets.size());
            assertEquals(2, pods(client, "default").size());
            assertTrue(emu.passes() > 0);
        }
        assertFalse(pods(client, "default").isEmpty());
    }
}

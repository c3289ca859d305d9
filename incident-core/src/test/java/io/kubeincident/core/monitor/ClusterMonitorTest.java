package io.kubeincident.core.monitor;

import io.kubeincident.core.fixtures.ClusterSeed;
import io.kubeincident.testkit.Await;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.*;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.kubeincident.core.fixtures.Assertions2.*;
import static org.junit.jupiter.api.Assertions.*;

class ClusterMonitorTest {

    static final Duration WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    @Test
    void readyOnlyAfterSyncAndTheViewIsIndexedAndSlimmed() throws Exception {
        ClusterSeed seed = new ClusterSeed(kube.apiClient());
        seed.namespace("shop");
        List<V1Pod> pods = seed.deployment("shop", "web", 3, "web:1");
        V1Pod bulky = seed.core().createNamespacedPod("shop", new V1Pod().metadata(new V1ObjectMeta().name("bulky")
                        .namespace("shop").putAnnotationsItem(ObjectSlimmer.LAST_APPLIED, "{\"big\":\"" + "x".repeat(4000) + "\"}")
                        .putAnnotationsItem("team", "payments")
                        .addManagedFieldsItem(new V1ManagedFieldsEntry().manager("kubectl").operation("Update")
                                .apiVersion("v1").fieldsType("FieldsV1")))
                .spec(new V1PodSpec().nodeName("node-9").addContainersItem(new V1Container().name("c").image("busybox"))))
                .execute();
        try (ClusterMonitor m = ClusterMonitor.builder().apiClient(kube.apiClient()).build()) {
            assertFalse(m.isReady(), "not ready before start");
            assertFalse(m.view().available(V1Pod.class));
            List<KubernetesObject> seen = new CopyOnWriteArrayList<>();
            m.start(seen::add);
            assertTrue(m.awaitReady(WAIT));
            assertTrue(m.view().available(V1Pod.class));
            assertEquals(4, m.view().list(V1Pod.class, "shop").size());
            V1ReplicaSet rs = m.view().get(V1ReplicaSet.class, "shop", "web-7d4b9c").orElseThrow();
            assertEquals(3, m.view().ownedBy(V1Pod.class, rs.getMetadata().getUid()).size());
            assertEquals(List.of("bulky"), m.view().podsOnNode("node-9").stream().map(p -> p.getMetadata().getName()).toList());
            V1Pod cached = m.view().get(V1Pod.class, "shop", "bulky").orElseThrow();
            assertNull(cached.getMetadata().getManagedFields(), "managedFields dropped");
            assertFalse(cached.getMetadata().getAnnotations().containsKey(ObjectSlimmer.LAST_APPLIED));
            assertEquals("payments", cached.getMetadata().getAnnotations().get("team"));
            Await.until(WAIT, () -> seen.size() >= 6, "initial adds delivered");

            // Changes after the sync reach the listener; deletions too.
            int before = seen.size();
            seed.setStatus(pods.get(0), ClusterSeed.crashLooping(3));
            seed.core().deleteNamespacedPod("bulky", "shop").execute();
            Await.until(WAIT, () -> m.view().get(V1Pod.class, "shop", "bulky").isEmpty() && seen.size() >= before + 1,
                    "update and delete seen");
            assertTrue(m.stats().get(WatchedKind.POD).events() >= 5);
        }
    }

    @Test
    void namespaceScopeWatchesOnlyThoseNamespacesButAllNodes() throws Exception {
        ClusterSeed seed = new ClusterSeed(kube.apiClient());
        seed.namespace("team-a");
        seed.namespace("team-b");
        seed.deployment("team-a", "web", 1, "web:1");
        seed.deployment("team-b", "api", 1, "api:1");
        seed.core().createNode(new V1Node().metadata(new V1ObjectMeta().name("node-1"))).execute();
        MonitorConfig cfg = MonitorConfig.from(io.kubeincident.api.ConfigView.of(Map.of("monitoring.namespaces", "team-a",
                "monitoring.kinds", "pods, ReplicaSet, deployment, nodes")));
        try (ClusterMonitor m = ClusterMonitor.builder().apiClient(kube.apiClient()).config(cfg).build()) {
            m.start();
            assertTrue(m.awaitReady(WAIT));
            assertEquals(java.util.Set.of(WatchedKind.POD, WatchedKind.REPLICA_SET, WatchedKind.DEPLOYMENT, WatchedKind.NODE), m.kinds());
            assertEquals(List.of("team-a"), m.view().list(V1Pod.class, null).stream().map(p -> p.getMetadata().getNamespace()).distinct().toList());
            none(m.view().list(V1Pod.class, "team-b"));
            assertEquals(1, m.view().list(V1Node.class, null).size());
            assertFalse(m.view().available(V1Service.class), "not watched");
        }
    }

    @Test
    void aHostsInformerFactoryIsSharedAndItsInformersOutliveTheMonitor() throws Exception {
        ClusterSeed seed = new ClusterSeed(kube.apiClient());
        seed.namespace("shop");
        seed.deployment("shop", "web", 2, "web:1");
        ApiClient informerClient = kube.informerApiClient();
        SharedInformerFactory host = new SharedInformerFactory(informerClient);
        SharedIndexInformer<V1Pod> hostPods = host.sharedIndexInformerFor(
                new GenericKubernetesApi<>(V1Pod.class, V1PodList.class, "", "v1", "pods", informerClient), V1Pod.class, 0L);
        host.startAllRegisteredInformers();
        Await.until(WAIT, hostPods::hasSynced, "host informer synced");

        MonitorConfig cfg = MonitorConfig.from(io.kubeincident.api.ConfigView.of(Map.of("monitoring.kinds", "pods,replicasets,deployments")));
        ClusterMonitor m = ClusterMonitor.builder().apiClient(kube.apiClient()).informerFactory(host).config(cfg).build();
        List<KubernetesObject> seen = new CopyOnWriteArrayList<>();
        m.start(seen::add);
        assertTrue(m.awaitReady(WAIT));
        assertSame(hostPods, host.getExistingSharedIndexInformer(V1Pod.class), "the host's pod informer is reused");
        assertNotNull(host.getExistingSharedIndexInformer(V1ReplicaSet.class), "missing kinds are registered in it");
        V1ReplicaSet rs = m.view().get(V1ReplicaSet.class, "shop", "web-7d4b9c").orElseThrow();
        // The host's informer was running before our indexes could be added: lookups still work.
        assertEquals(2, m.view().ownedBy(V1Pod.class, rs.getMetadata().getUid()).size());
        Await.until(WAIT, () -> seen.stream().filter(o -> o instanceof V1Pod).count() >= 2, "shared informer delivers to us");
        m.close();

        seed.core().createNamespacedPod("shop", new V1Pod().metadata(new V1ObjectMeta().name("late").namespace("shop"))
                .spec(new V1PodSpec().addContainersItem(new V1Container().name("c").image("busybox")))).execute();
        Await.until(WAIT, () -> hostPods.getIndexer().getByKey("shop/late") != null, "the host's informer keeps running");
        int afterClose = seen.size();
        Thread.sleep(200);
        assertEquals(afterClose, seen.size(), "a closed monitor delivers nothing");
        host.stopAllRegisteredInformers();
    }

    @Test
    void aHostFactoryCannotBeCombinedWithANamespaceList() {
        SharedInformerFactory host = new SharedInformerFactory(kube.informerApiClient());
        MonitorConfig cfg = new MonitorConfig(List.of("a", "b"), null, Duration.ofSeconds(30), Duration.ofSeconds(5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterMonitor.builder().apiClient(kube.apiClient()).informerFactory(host).config(cfg).build());
        contains(e.getMessage(), "monitoring.namespaces");
    }

    @Test
    void badMonitoringConfigIsReportedByKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MonitorConfig.from(
                io.kubeincident.api.ConfigView.of(Map.of("monitoring.kinds", "pods,widgets", "monitoring.scan_interval", "0s"))));
        contains(e.getMessage(), "monitoring.kinds", "widgets", "monitoring.scan_interval");
        assertThrows(IllegalArgumentException.class, () -> ClusterMonitor.builder().build());
    }

    @Test
    void theWatchClientIsACopyWithoutReadTimeoutThatKeepsTheToken() {
        ApiClient c = kube.apiClient();
        c.setApiKeyPrefix("Bearer");
        c.setApiKey("t0ken");
        ApiClient w = WatchClients.forInformers(c);
        assertNotSame(c, w);
        assertEquals(0, w.getHttpClient().readTimeoutMillis());
        assertEquals(c.getBasePath(), w.getBasePath());
        assertEquals("t0ken", ((io.kubernetes.client.openapi.auth.ApiKeyAuth) w.getAuthentication("BearerToken")).getApiKey());
        assertTrue(c.getHttpClient().readTimeoutMillis() > 0, "the engine's client is untouched");
        ApiClient already = kube.informerApiClient();
        assertSame(already, WatchClients.forInformers(already));
    }
}

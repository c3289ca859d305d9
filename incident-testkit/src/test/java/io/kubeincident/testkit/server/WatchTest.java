package io.kubeincident.testkit.server;

import com.google.gson.reflect.TypeToken;
import io.kubeincident.testkit.Await;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.util.Watch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static io.kubeincident.testkit.server.LoopbackKubeServerTest.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WatchTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void informerSeesCleanAddUpdateDelete(LoopbackKubeServer server) throws Exception {
        CoreV1Api core = new CoreV1Api(server.apiClient());
        core.createNamespacedPod("default", pod("default", "before", Map.of("app", "web"), "n1", "Running")).execute();

        ApiClient informerClient = server.informerApiClient();
        CoreV1Api watchApi = new CoreV1Api(informerClient);
        SharedInformerFactory factory = new SharedInformerFactory(informerClient);
        SharedIndexInformer<V1Pod> informer = factory.sharedIndexInformerFor(params -> watchApi.listPodForAllNamespaces()
                .resourceVersion(params.resourceVersion).timeoutSeconds(params.timeoutSeconds).watch(params.watch)
                .buildCall(null), V1Pod.class, V1PodList.class);
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        informer.addEventHandler(new ResourceEventHandler<>() {
            public void onAdd(V1Pod p) {
                events.add("ADD " + p.getMetadata().getName());
            }

            public void onUpdate(V1Pod o, V1Pod n) {
                events.add("UPDATE " + n.getMetadata().getName() + " " + n.getStatus().getPhase());
            }

            public void onDelete(V1Pod p, boolean finalStateUnknown) {
                events.add("DELETE " + p.getMetadata().getName() + (finalStateUnknown ? " unknown" : ""));
            }
        });
        factory.startAllRegisteredInformers();
        try {
            Await.until(WAIT, informer::hasSynced, "informer synced");
            Await.until(WAIT, () -> server.openWatches() == 1, "the informer's watch is open");
            V1Pod created = core.createNamespacedPod("default", pod("default", "p", Map.of("app", "web"), "n1", "Pending")).execute();
            core.replaceNamespacedPodStatus("p", "default", created.status(new V1PodStatus().phase("Running"))).execute();
            core.deleteNamespacedPod("p", "default").execute();
            Await.until(WAIT, () -> events.size() >= 4, "four events, got " + events);
            // No relist storm: nothing else arrives, and no resync/update noise.
            Await.holds(Duration.ofMillis(600), () -> events.size() == 4, "exactly four events: " + events);
            assertEquals(List.of("ADD before", "ADD p", "UPDATE p Running", "DELETE p"), events);
            assertEquals(1, server.openWatches());
            List<String> lists = server.requestLog().stream()
                    .filter(r -> r.startsWith("GET /api/v1/pods") && !r.contains("watch=true")).toList();
            assertEquals(1, lists.size(), "the informer listed once and then only watched: " + lists);
        } finally {
            factory.stopAllRegisteredInformers();
        }
    }

    @Test
    void watchFromResourceVersionReplaysOnlyLaterEventsAndHonoursSelectors(LoopbackKubeServer server) throws Exception {
        CoreV1Api core = new CoreV1Api(server.apiClient());
        core.createNamespacedPod("default", pod("default", "old", Map.of("app", "web"), "n1", "Running")).execute();
        String rv = core.listNamespacedPod("default").execute().getMetadata().getResourceVersion();
        core.createNamespacedPod("default", pod("default", "web-1", Map.of("app", "web"), "n1", "Running")).execute();
        core.createNamespacedPod("default", pod("default", "db-1", Map.of("app", "db"), "n1", "Running")).execute();
        core.createNamespacedPod("other", pod("other", "web-2", Map.of("app", "web"), "n1", "Running")).execute();

        CoreV1Api watchApi = new CoreV1Api(server.informerApiClient());
        try (Watch<V1Pod> w = Watch.createWatch(server.informerApiClient(),
                watchApi.listNamespacedPod("default").labelSelector("app in (web)").resourceVersion(rv)
                        .timeoutSeconds(2).watch(true).buildCall(null),
                new TypeToken<Watch.Response<V1Pod>>() { }.getType())) {
            List<String> seen = new ArrayList<>();
            for (Watch.Response<V1Pod> e : w) {
                seen.add(e.type + " " + e.object.getMetadata().getName());
            }
            assertEquals(List.of("ADDED web-1"), seen);
        }
    }

    @Test
    void watchWithoutResourceVersionStartsWithSyntheticAdds(LoopbackKubeServer server) throws Exception {
        CoreV1Api core = new CoreV1Api(server.apiClient());
        core.createNamespacedPod("default", pod("default", "a", Map.of(), "n1", "Running")).execute();
        CoreV1Api watchApi = new CoreV1Api(server.informerApiClient());
        try (Watch<V1Pod> w = Watch.createWatch(server.informerApiClient(),
                watchApi.listNamespacedPod("default").timeoutSeconds(1).watch(true).buildCall(null),
                new TypeToken<Watch.Response<V1Pod>>() { }.getType())) {
            List<String> seen = new ArrayList<>();
            for (Watch.Response<V1Pod> e : w) seen.add(e.type + " " + e.object.getMetadata().getName());
            assertEquals(List.of("ADDED a"), seen);
        }
    }

    @Test
    void labelChangeLeavingTheSelectionIsSeenAsDelete(LoopbackKubeServer server) throws Exception {
        CoreV1Api core = new CoreV1Api(server.apiClient());
        V1Pod p = core.createNamespacedPod("default", pod("default", "mover", Map.of("app", "web"), "n1", "Running")).execute();
        String rv = p.getMetadata().getResourceVersion();
        p.getMetadata().setLabels(Map.of("app", "db"));
        core.replaceNamespacedPod("mover", "default", p).execute();
        CoreV1Api watchApi = new CoreV1Api(server.informerApiClient());
        try (Watch<V1Pod> w = Watch.createWatch(server.informerApiClient(),
                watchApi.listNamespacedPod("default").labelSelector("app=web").resourceVersion(rv)
                        .timeoutSeconds(1).watch(true).buildCall(null),
                new TypeToken<Watch.Response<V1Pod>>() { }.getType())) {
            List<String> seen = new ArrayList<>();
            for (Watch.Response<V1Pod> e : w) seen.add(e.type + " " + e.object.getMetadata().getName());
            assertEquals(List.of("DELETED mover"), seen);
        }
    }

    @Test
    void aWatchThatAllowsBookmarksEndsWithOneAtTheCurrentResourceVersion() throws Exception {
        try (LoopbackKubeServer server = LoopbackKubeServer.start()) {
            CoreV1Api core = new CoreV1Api(server.apiClient());
            String rv = core.createNamespacedPod("default", pod("default", "a", Map.of(), "n1", "Running")).execute()
                    .getMetadata().getResourceVersion();
            CoreV1Api watchApi = new CoreV1Api(server.informerApiClient());
            List<String> seen = new ArrayList<>();
            try (Watch<V1Pod> w = Watch.createWatch(server.informerApiClient(),
                    watchApi.listNamespacedPod("default").allowWatchBookmarks(true).timeoutSeconds(1).watch(true).buildCall(null),
                    new TypeToken<Watch.Response<V1Pod>>() { }.getType())) {
                for (Watch.Response<V1Pod> e : w) seen.add(e.type + " " + e.object.getMetadata().getResourceVersion());
            }
            assertEquals(List.of("ADDED " + rv, "BOOKMARK " + rv), seen);
            try (Watch<V1Pod> w = Watch.createWatch(server.informerApiClient(),
                    watchApi.listNamespacedPod("default").timeoutSeconds(1).watch(true).buildCall(null),
                    new TypeToken<Watch.Response<V1Pod>>() { }.getType())) {
                List<String> plain = new ArrayList<>();
                for (Watch.Response<V1Pod> e : w) plain.add(e.type);
                assertEquals(List.of("ADDED"), plain, "no bookmark unless asked for");
            }
        }
    }

    @Test
    void aContinueTokenOlderThanTheHistoryGets410Expired() throws Exception {
        try (LoopbackKubeServer small = LoopbackKubeServer.start(2)) {
            CoreV1Api core = new CoreV1Api(small.apiClient());
            for (String n : List.of("a", "b", "c")) core.createNamespacedPod("default", pod("default", n, Map.of(), "n1", "Running")).execute();
            var first = core.listNamespacedPod("default").limit(1).execute();
            var second = core.listNamespacedPod("default").limit(1)._continue(first.getMetadata().getContinue()).execute();
            assertEquals("b", second.getItems().get(0).getMetadata().getName());
            assertEquals(first.getMetadata().getResourceVersion(), second.getMetadata().getResourceVersion(),
                    "every page is of the first page's resourceVersion");
            for (String n : List.of("d", "e", "f")) core.createNamespacedPod("default", pod("default", n, Map.of(), "n1", "Running")).execute();
            io.kubernetes.client.openapi.ApiException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.kubernetes.client.openapi.ApiException.class,
                    () -> core.listNamespacedPod("default").limit(1)._continue(second.getMetadata().getContinue()).execute());
            assertEquals(410, e.getCode());
            assertTrue(e.getResponseBody().contains("\"reason\":\"Expired\""), e.getResponseBody());
            assertEquals(400, org.junit.jupiter.api.Assertions.assertThrows(io.kubernetes.client.openapi.ApiException.class,
                    () -> core.listNamespacedPod("default")._continue("garbage!").execute()).getCode());
        }
    }

    @Test
    void watchFromAnExpiredResourceVersionGets410() throws Exception {
        try (LoopbackKubeServer small = LoopbackKubeServer.start(2)) {
            CoreV1Api core = new CoreV1Api(small.apiClient());
            String first = core.createNamespacedPod("default", pod("default", "a", Map.of(), "n1", "Running")).execute()
                    .getMetadata().getResourceVersion();
            for (String n : List.of("b", "c", "d")) core.createNamespacedPod("default", pod("default", n, Map.of(), "n1", "Running")).execute();
            CoreV1Api watchApi = new CoreV1Api(small.informerApiClient());
            try (Watch<V1Pod> w = Watch.createWatch(small.informerApiClient(),
                    watchApi.listNamespacedPod("default").resourceVersion(first).timeoutSeconds(1).watch(true).buildCall(null),
                    new TypeToken<Watch.Response<V1Pod>>() { }.getType())) {
                Watch.Response<V1Pod> e = w.next();
                assertEquals("ERROR", e.type);
                assertEquals(410, e.status.getCode());
                assertEquals("Expired", e.status.getReason());
            }
        }
    }

    @Test
    void watchEndsAfterTimeoutSeconds(LoopbackKubeServer server) throws Exception {
        CoreV1Api watchApi = new CoreV1Api(server.informerApiClient());
        try (Watch<V1Pod> w = Watch.createWatch(server.informerApiClient(),
                watchApi.listNamespacedPod("default").timeoutSeconds(1).watch(true).buildCall(null),
                new TypeToken<Watch.Response<V1Pod>>() { }.getType())) {
            assertTrue(!w.hasNext(), "the server ends the watch when timeoutSeconds pass");
        }
        Await.until(WAIT, () -> server.openWatches() == 0, "watch closed on the server");
    }
}

package io.kubeincident.testkit.context;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ActionHistory;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.NodeBuilder;
import io.kubeincident.testkit.scenario.PodBuilder;
import io.kubeincident.testkit.scenario.Workload;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContextsTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    @Test
    void listViewIndexesOwnersNodesAndEvents() {
        Workload w = DeploymentBuilder.deployment("default", "web").replicas(2).clock(TestContexts.CLOCK).build();
        V1Pod bare = PodBuilder.pod("default", "bare").node("node-9").clock(TestContexts.CLOCK).build();
        V1Pod first = w.pods().get(0);
        CoreV1Event byUid = new CoreV1Event().metadata(new V1ObjectMeta().name("e1").namespace("default"))
                .involvedObject(new V1ObjectReference().kind("Pod").name(first.getMetadata().getName()).namespace("default")
                        .uid(first.getMetadata().getUid()));
        CoreV1Event byName = new CoreV1Event().metadata(new V1ObjectMeta().name("e2").namespace("default"))
                .involvedObject(new V1ObjectReference().kind("Pod").name("bare"));
        ListClusterView view = ListClusterView.of(w.deployment()).with(w.replicaSets().toArray(new V1ReplicaSet[0]))
                .with(w.pods().toArray(new V1Pod[0])).with(bare, byUid, byName);

        assertEquals(3, view.list(V1Pod.class, "default").size());
        assertEquals(0, view.list(V1Pod.class, "other").size());
        assertEquals(1, view.ownedBy(V1ReplicaSet.class, w.deployment().getMetadata().getUid()).size());
        assertEquals(2, view.ownedBy(V1Pod.class, w.current().getMetadata().getUid()).size());
        assertEquals(List.of(bare), view.podsOnNode("node-9"));
        assertEquals(List.of(byUid), view.eventsFor(TestContexts.ref(first)));
        assertEquals(List.of(byName), view.eventsFor(ResourceRef.of("Pod", "default", "bare")));
        assertTrue(view.get(V1Deployment.class, "default", "web").isPresent());
        assertTrue(view.available(V1Node.class));
        assertFalse(view.withUnavailable(V1Node.class).available(V1Node.class));
    }

    @Test
    void ownerChainFollowsControllers() {
        Workload w = DeploymentBuilder.deployment("default", "web").replicas(1).build();
        ListClusterView view = ListClusterView.of(w.deployment(), w.current(), w.pods().get(0));
        SafetyContext sc = TestContexts.safety().cluster(view).build();
        List<ResourceRef> chain = sc.ownerChain(TestContexts.ref(w.pods().get(0)));
        assertEquals(List.of("Pod", "ReplicaSet", "Deployment"), chain.stream().map(ResourceRef::kind).toList());
        assertEquals("web", chain.get(2).name());
    }

    @Test
    void snapshotReadsTheServer(ApiClient client) throws Exception {
        DeploymentBuilder.deployment("default", "web").replicas(2).create(client);
        NodeBuilder.node("node-1").create(client);
        ListClusterView view = ListClusterView.snapshot(client);
        assertEquals(2, view.list(V1Pod.class, null).size());
        assertEquals(1, view.list(V1Node.class, null).size());
        assertEquals(1, view.list(V1ReplicaSet.class, "default").size());
    }

    @Test
    void detectionContextHasAFixedClockAndConfig() {
        DetectionContext dc = TestContexts.detection().config(Map.of("monitoring.restart_threshold", "3")).build();
        assertEquals(Instant.parse("2025-06-01T12:00:00Z"), dc.now());
        assertEquals(3, dc.config().getInt("monitoring.restart_threshold", 0));
    }

    @Test
    void actionContextRecordsAndPostsEvents(ApiClient client) throws Exception {
        TestContexts.RecordingActionContext ac = TestContexts.action().apiClient(client).postEvents().build();
        ac.recordEvent(ResourceRef.of("Pod", "default", "web-1"), "Normal", "IncidentRemediation", "restarted");
        assertEquals(1, ac.events().size());
        List<CoreV1Event> events = new CoreV1Api(client).listNamespacedEvent("default")
                .fieldSelector("involvedObject.name=web-1").execute().getItems();
        assertEquals("IncidentRemediation", events.get(0).getReason());
        assertThrows(IllegalStateException.class, () -> TestContexts.action().build().apiClient());
    }

    @Test
    void historyReturnsEntriesSince() {
        InMemoryActionHistory h = new InMemoryActionHistory();
        ResourceRef t = ResourceRef.of("Pod", "default", "p");
        h.add(new ActionHistory.Entry("i1", "f", "restart-pod", t, TestContexts.NOW.minusSeconds(600), false, "applied"));
        h.add(new ActionHistory.Entry("i2", "f", "restart-pod", t, TestContexts.NOW.minusSeconds(10), false, "running"));
        assertEquals(1, h.since(TestContexts.NOW.minusSeconds(60)).size());
        assertEquals(1, h.running());
    }
}

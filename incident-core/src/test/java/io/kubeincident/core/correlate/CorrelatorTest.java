package io.kubeincident.core.correlate;

import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.core.detect.BasicDetectionContext;
import io.kubeincident.core.detect.CrashLoopDetector;
import io.kubeincident.core.detect.DetectorSet;
import io.kubeincident.core.detect.NodeNotReadyDetector;
import io.kubeincident.core.detect.RolloutStuckDetector;
import io.kubeincident.core.detect.StuckTerminatingDetector;
import io.kubeincident.testkit.MutableClock;
import io.kubeincident.core.monitor.InformerClusterView;
import io.kubeincident.core.monitor.Refs;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.*;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.kubeincident.core.fixtures.Assertions2.*;
import static io.kubeincident.core.fixtures.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class CorrelatorTest {

    final MutableClock clock = new MutableClock(NOW);
    final Correlator correlator = new Correlator(CorrelationConfig.defaults(), clock);
    final DetectorSet detectors = new DetectorSet(List.of(new CrashLoopDetector(), new RolloutStuckDetector(),
            new NodeNotReadyDetector(), new StuckTerminatingDetector()), null);

    final V1Deployment web = deployment("shop", "web", 30, "web:2");
    final V1ReplicaSet rs = replicaSet(web, "5f7d8", 2, "web:2", 30, minutesAgo(20));
    final InformerClusterView view = InformerClusterView.of(web, rs);

    List<Finding> findings(KubernetesObject o) {
        view.put(o);
        return detectors.detect(o, new BasicDetectionContext(view, ConfigView.empty(), clock));
    }

    List<IncidentEvent> observe(KubernetesObject o) {
        return correlator.observe(Refs.of(o), findings(o), view);
    }

    List<V1Pod> crashingPods(int n) {
        List<V1Pod> pods = new ArrayList<>();
        for (int i = 0; i < n; i++) pods.add(crashLooping(pod(rs, "p" + i, "node-" + (i % 3)), 5 + i, 1, "Error"));
        return pods;
    }

    @Test
    void aStormOf30PodsOfOneDeploymentIsOneIncident() {
        List<IncidentEvent> all = new ArrayList<>();
        for (V1Pod p : crashingPods(30)) all.addAll(observe(p));
        assertInstanceOf(IncidentEvent.Opened.class, all.get(0));
        assertEquals(1, all.stream().filter(e -> e instanceof IncidentEvent.Opened).count());
        assertTrue(all.stream().allMatch(e -> e.incident().id().equals(all.get(0).incident().id())));
        Incident i = one(correlator.active());
        assertEquals(IncidentTypes.CRASH_LOOP, i.type());
        assertEquals("crash-loop:Deployment/shop/web", i.fingerprint());
        assertEquals("Deployment/shop/web", i.rootResource().key());
        assertEquals(web.getMetadata().getUid(), i.rootResource().uid());
        assertEquals(30, i.findings().size());
        assertEquals(32, i.resources().size(), "deployment, replicaset and 30 pods");
        assertEquals("Deployment/shop/web", i.resources().get(0).key());
        assertEquals("ReplicaSet/shop/web-5f7d8", i.resources().get(1).key());
        assertEquals(Severity.HIGH, i.severity());
    }

    @Test
    void aHugeStormListsItsFirstObjectsOnly() {
        Correlator small = new Correlator(new CorrelationConfig(Duration.ofMinutes(5), Duration.ofMinutes(30), 10), clock);
        for (V1Pod p : crashingPods(25)) small.observe(Refs.of(p), findings(p), view);
        Incident i = one(small.active());
        assertEquals(10, i.resources().size());
        assertEquals("Deployment/shop/web", i.resources().get(0).key());
        assertEquals(10, i.findings().size());
    }

    @Test
    void aSweepOverAStormReportsOneOpenedEvent() {
        Map<ResourceRef, List<Finding>> sweep = new java.util.LinkedHashMap<>();
        for (V1Pod p : crashingPods(30)) sweep.put(Refs.of(p), findings(p));
        List<IncidentEvent> events = correlator.reconcile(sweep, view);
        IncidentEvent e = one(events);
        assertInstanceOf(IncidentEvent.Opened.class, e);
        assertEquals(30, e.incident().findings().size());
    }

    @Test
    void fingerprintSurvivesPodReplacementAndEngineRestart() {
        observe(crashingPods(1).get(0));
        Incident first = one(correlator.active());
        // The ReplicaSet replaced the pod: a new name, the same root.
        V1Pod replacement = crashLooping(pod(rs, "zz9", "node-1"), 3, 1, "Error");
        Correlator restarted = new Correlator(CorrelationConfig.defaults(), clock);
        restarted.observe(Refs.of(replacement), findings(replacement), view);
        assertEquals(first.fingerprint(), one(restarted.active()).fingerprint());
        assertNotEquals(first.id(), one(restarted.active()).id(), "a new occurrence has a new id");
    }

    @Test
    void lifecycleOpenedUpdatedResolvedAfterQuietPeriod() {
        List<V1Pod> pods = crashingPods(2);
        assertInstanceOf(IncidentEvent.Opened.class, one(observe(pods.get(0))));
        assertInstanceOf(IncidentEvent.Updated.class, one(observe(pods.get(1))));
        String id = one(correlator.active()).id();

        // Both pods recover: the first shrinks the incident, the second leaves it without findings.
        IncidentEvent.Updated shrunk = assertInstanceOf(IncidentEvent.Updated.class,
                one(correlator.observe(Refs.of(pods.get(0)), List.of(), view)));
        assertEquals(1, shrunk.incident().findings().size());
        none(correlator.observe(Refs.of(pods.get(1)), List.of(), view));
        assertEquals(1, correlator.active().size(), "still open during the quiet period");
        clock.advance(Duration.ofMinutes(4));
        none(correlator.tick());
        clock.advance(Duration.ofMinutes(1));
        IncidentEvent resolved = one(correlator.tick());
        assertInstanceOf(IncidentEvent.Resolved.class, resolved);
        assertEquals(id, resolved.incident().id());
        assertEquals(IncidentState.RESOLVED, resolved.incident().state());
        none(correlator.active());
        none(correlator.tick());
    }

    @Test
    void flappingWithinTheQuietPeriodStaysOneIncidentWithoutEvents() {
        V1Pod p = crashingPods(1).get(0);
        observe(p);
        String id = one(correlator.active()).id();
        for (int i = 0; i < 5; i++) {
            none(correlator.observe(Refs.of(p), List.of(), view));
            clock.advance(Duration.ofMinutes(2));
            none(correlator.tick());
            none(observe(p));
        }
        assertEquals(id, one(correlator.active()).id());
    }

    @Test
    void returningSoonAfterResolutionReopensTheSameIncident() {
        V1Pod p = crashingPods(1).get(0);
        observe(p);
        String id = one(correlator.active()).id();
        correlator.observe(Refs.of(p), List.of(), view);
        clock.advance(Duration.ofMinutes(6));
        assertInstanceOf(IncidentEvent.Resolved.class, one(correlator.tick()));
        clock.advance(Duration.ofMinutes(10));
        IncidentEvent again = one(observe(p));
        IncidentEvent.Reopened reopened = assertInstanceOf(IncidentEvent.Reopened.class, again);
        assertEquals(id, reopened.incident().id());
        assertEquals(IncidentState.OPEN, reopened.incident().state());
        assertEquals(1, reopened.flaps());
        assertEquals(1, correlator.flaps(id));
    }

    @Test
    void returningLongAfterResolutionIsANewIncidentWithTheSameFingerprint() {
        V1Pod p = crashingPods(1).get(0);
        observe(p);
        Incident first = one(correlator.active());
        correlator.observe(Refs.of(p), List.of(), view);
        clock.advance(Duration.ofMinutes(6));
        correlator.tick();
        clock.advance(Duration.ofMinutes(31));
        correlator.tick();
        IncidentEvent.Opened opened = assertInstanceOf(IncidentEvent.Opened.class, one(observe(p)));
        assertNotEquals(first.id(), opened.incident().id());
        assertEquals(first.fingerprint(), opened.incident().fingerprint());
    }

    @Test
    void causeTypeWinsOverSymptomForTheSameRoot() {
        V1Deployment stuck = deployment("shop", "web", 30, "web:2");
        stuck.getMetadata().uid(web.getMetadata().getUid());
        stuck.getStatus().availableReplicas(0).getConditions().forEach(c -> {
            if (c.getType().equals("Progressing")) c.status("False").reason("ProgressDeadlineExceeded");
        });
        assertEquals(IncidentTypes.ROLLOUT_STUCK, one(observe(stuck).stream().map(IncidentEvent::incident).toList()).type());
        IncidentEvent.Updated u = assertInstanceOf(IncidentEvent.Updated.class, one(observe(crashingPods(1).get(0))));
        assertEquals(IncidentTypes.CRASH_LOOP, u.incident().type());
        assertEquals("crash-loop:Deployment/shop/web", u.incident().fingerprint());
        assertEquals(2, u.incident().findings().size());
        assertEquals(1, correlator.active().size());
    }

    @Test
    void differentRootsAreDifferentIncidents() {
        V1Deployment api = deployment("shop", "api", 1, "api:1");
        V1ReplicaSet apiRs = replicaSet(api, "aa11", 1, "api:1", 1, minutesAgo(30));
        view.put(api);
        view.put(apiRs);
        observe(crashingPods(1).get(0));
        observe(crashLooping(pod(apiRs, "q1", "node-1"), 4, 1, "Error"));
        V1Pod bare = crashLooping(pod("shop", "debug", "busybox", "node-1"), 4, 1, "Error");
        observe(bare);
        assertEquals(List.of("crash-loop:Deployment/shop/api", "crash-loop:Deployment/shop/web", "crash-loop:Pod/shop/debug"),
                correlator.active().stream().map(Incident::fingerprint).sorted().toList());
    }

    @Test
    void podsOnANotReadyNodeFoldIntoTheNodesIncidentAndReturnWhenItRecovers() {
        V1Pod stuck = pod(rs, "t1", "node-a");
        stuck.getMetadata().deletionTimestamp(minutesAgo(20)).deletionGracePeriodSeconds(30L);
        observe(stuck);
        assertEquals("stuck-terminating:Deployment/shop/web", one(correlator.active()).fingerprint());

        V1Node node = node("node-a");
        setNodeCondition(node, "Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", minutesAgo(10));
        List<IncidentEvent> events = observe(node);
        Incident nodeIncident = events.stream().filter(e -> e instanceof IncidentEvent.Opened).findFirst().orElseThrow().incident();
        assertEquals("Node/node-a", nodeIncident.rootResource().key());
        Incident current = one(correlator.active().stream().filter(i -> i.id().equals(nodeIncident.id())).toList());
        assertEquals(IncidentTypes.NODE_NOT_READY, current.type());
        assertEquals(Severity.CRITICAL, current.severity());
        assertTrue(current.involves(Refs.of(stuck)), current.resources().toString());
        assertEquals(2, current.findings().size());
        // The Deployment's incident lost its only pod to the node's: it resolves after the quiet period.
        clock.advance(Duration.ofMinutes(6));
        assertEquals(List.of("stuck-terminating:Deployment/shop/web"), correlator.tick().stream()
                .filter(e -> e instanceof IncidentEvent.Resolved).map(e -> e.incident().fingerprint()).toList());
        assertEquals(List.of("node-not-ready:Node/node-a"), correlator.active().stream().map(Incident::fingerprint).toList());

        // The node recovers: its pod's finding goes back to the Deployment, whose incident reopens.
        V1Node healthy = node("node-a");
        healthy.getMetadata().uid(node.getMetadata().getUid());
        List<IncidentEvent> back = observe(healthy);
        assertTrue(back.stream().anyMatch(e -> e instanceof IncidentEvent.Reopened
                && e.incident().fingerprint().equals("stuck-terminating:Deployment/shop/web")), back.toString());
        Incident nodeNow = correlator.find(nodeIncident.id()).orElseThrow();
        assertTrue(nodeNow.findings().stream().noneMatch(f -> f.resource().kind().equals("Pod")), nodeNow.toString());
        assertEquals("node-not-ready:Node/node-a", nodeNow.fingerprint(), "never shown as the pods' type");
    }

    @Test
    void engineStateIsKeptAcrossUpdatesUntilResolution() {
        List<V1Pod> pods = crashingPods(2);
        observe(pods.get(0));
        String id = one(correlator.active()).id();
        assertTrue(correlator.setState(id, IncidentState.REMEDIATING));
        assertFalse(correlator.setState("nope", IncidentState.ESCALATED));
        IncidentEvent u = one(observe(pods.get(1)));
        assertEquals(IncidentState.REMEDIATING, u.incident().state());
        assertTrue(correlator.find(id).isPresent());
    }

    @Test
    void ownerChainsReachCronJobsScaleTargetsAndDeploymentsOfUncachedReplicaSets() {
        V1Job job = new V1Job().apiVersion("batch/v1").kind("Job").metadata(meta("batch", "report-123", minutesAgo(10)));
        job.getMetadata().addOwnerReferencesItem(new V1OwnerReference().apiVersion("batch/v1").kind("CronJob")
                .name("report").uid("cj-uid").controller(true));
        V1Pod jobPod = pod("batch", "report-123-abcde", "report:1", "node-1");
        jobPod.getMetadata().addOwnerReferencesItem(ownerRef(job, "Job", "batch/v1"));
        V2HorizontalPodAutoscaler hpa = new V2HorizontalPodAutoscaler().apiVersion("autoscaling/v2").kind("HorizontalPodAutoscaler")
                .metadata(meta("shop", "web", minutesAgo(100))).spec(new V2HorizontalPodAutoscalerSpec().maxReplicas(5)
                        .scaleTargetRef(new V2CrossVersionObjectReference().kind("Deployment").name("web").apiVersion("apps/v1")));
        V1Pod orphanRsPod = pod("shop", "web-77aa-x", "web:1", "node-1");
        orphanRsPod.getMetadata().putLabelsItem("pod-template-hash", "77aa").addOwnerReferencesItem(new V1OwnerReference()
                .kind("ReplicaSet").name("web-77aa").uid("rs-uid").controller(true).apiVersion("apps/v1"));
        InformerClusterView v = InformerClusterView.of(job, jobPod, hpa, web, orphanRsPod);
        assertEquals(List.of("Pod/batch/report-123-abcde", "Job/batch/report-123", "CronJob/batch/report"),
                OwnerChains.chain(Refs.of(jobPod), v).stream().map(ResourceRef::key).toList());
        assertEquals("cj-uid", OwnerChains.root(Refs.of(jobPod), v).uid());
        assertEquals("Deployment/shop/web", OwnerChains.root(Refs.of(hpa), v).key());
        assertEquals(List.of("Pod/shop/web-77aa-x", "ReplicaSet/shop/web-77aa", "Deployment/shop/web"),
                OwnerChains.chain(Refs.of(orphanRsPod), v).stream().map(ResourceRef::key).toList());
        V1Node n = node("node-1");
        V1Pod mirror = pod("kube-system", "etcd-node-1", "etcd:3", "node-1");
        mirror.getMetadata().addOwnerReferencesItem(new V1OwnerReference().kind("Node").name("node-1").uid(n.getMetadata().getUid())
                .controller(true).apiVersion("v1"));
        assertEquals(ResourceRef.cluster("Node", "node-1").key(), OwnerChains.root(Refs.of(mirror), InformerClusterView.of(n, mirror)).key());
    }

    @Test
    void statelessCorrelateGroupsLikeTheTracker() {
        List<Finding> all = new ArrayList<>();
        for (V1Pod p : crashingPods(5)) all.addAll(findings(p));
        Incident i = one(new Correlator().correlate(all, view, NOW));
        assertEquals(5, i.findings().size());
        assertEquals("crash-loop:Deployment/shop/web", i.fingerprint());
        assertEquals(IncidentState.OPEN, i.state());
    }

    @Test
    void configIsValidatedAndReadFromKeys() {
        CorrelationConfig c = CorrelationConfig.from(ConfigView.of(Map.of("correlation.quiet_period", "2m",
                "correlation.reopen_window", "1h")));
        assertEquals(Duration.ofMinutes(2), c.quietPeriod());
        assertEquals(Duration.ofHours(1), c.reopenWindow());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CorrelationConfig.from(
                ConfigView.of(Map.of("correlation.quiet_period", "later", "correlation.max_resources", "0"))));
        contains(e.getMessage(), "correlation.quiet_period", "correlation.max_resources");
    }

    /**
     * A detector that looks at one object and reports on another (Argo CD's Application, seen through the workload
     * it manages): the finding is placed by its own resource, a separate incident, and it clears when the object's
     * next pass reports nothing, or when a sweep no longer finds it.
     */
    @Test
    void aFindingAboutAnotherResourceIsItsOwnIncidentAndClearsWithItsObject() {
        ResourceRef deployment = Refs.of(web);
        ResourceRef app = ResourceRef.of("Application", "argocd", "shop");
        io.kubeincident.api.Finding degraded = new io.kubeincident.api.Finding("argocd-degraded", "argocd-degraded",
                Severity.HIGH, app, "Degraded", java.util.Map.of(), NOW);
        IncidentEvent opened = one(correlator.observe(deployment, List.of(degraded), view));
        assertInstanceOf(IncidentEvent.Opened.class, opened);
        assertEquals("Application/argocd/shop", opened.incident().rootResource().key());
        assertEquals(1, correlator.active().size());

        correlator.observe(deployment, List.of(), view);
        assertEquals(1, correlator.active().size(), "cleared, still open in its quiet period");
        assertTrue(correlator.detectedIds().isEmpty(), "no findings any more");

        correlator.observe(deployment, List.of(degraded), view);
        assertEquals(1, correlator.detectedIds().size());
        correlator.reconcile(java.util.Map.of(), view);
        assertTrue(correlator.detectedIds().isEmpty(), "a sweep that no longer sees it clears it too");
    }
}

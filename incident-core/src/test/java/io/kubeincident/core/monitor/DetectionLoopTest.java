package io.kubeincident.core.monitor;

import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.core.correlate.IncidentEvent;
import io.kubeincident.core.detect.CrashLoopDetector;
import io.kubeincident.core.detect.DetectorSet;
import io.kubeincident.core.fixtures.ClusterSeed;
import io.kubeincident.core.fixtures.FaultInterceptor;
import io.kubeincident.testkit.MutableClock;
import io.kubeincident.testkit.Await;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Pod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.kubeincident.core.fixtures.Assertions2.*;
import static org.junit.jupiter.api.Assertions.*;

/** Informer-driven detection against the loopback API server, with the faults a real cluster has. */
class DetectionLoopTest {

    static final Duration WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    final List<IncidentEvent> events = new CopyOnWriteArrayList<>();
    DetectionLoop loop;

    DetectionLoop start(ApiClient watchClient, MonitorConfig config) throws InterruptedException {
        ClusterMonitor monitor = ClusterMonitor.builder().watchClient(watchClient).config(config).build();
        loop = DetectionLoop.builder(monitor, new DetectorSet(List.of(new CrashLoopDetector()), null))
                .scanInterval(Duration.ofSeconds(30)).onEvent(events::add).build();
        loop.start();
        assertTrue(monitor.awaitReady(WAIT), "monitor synced");
        return loop;
    }

    DetectionLoop start() throws InterruptedException {
        return start(kube.informerApiClient(), MonitorConfig.defaults());
    }

    ApiClient faulty(FaultInterceptor faults) {
        ApiClient c = kube.informerApiClient();
        c.setHttpClient(c.getHttpClient().newBuilder().addInterceptor(faults).build());
        return c;
    }

    @AfterEach
    void stop() {
        if (loop != null) loop.close();
    }

    List<IncidentEvent.Opened> opened() {
        return events.stream().filter(e -> e instanceof IncidentEvent.Opened).map(e -> (IncidentEvent.Opened) e).toList();
    }

    @Test
    void aPodTurningIntoCrashLoopBackOffOpensOneIncident() throws Exception {
        ClusterSeed seed = new ClusterSeed(kube.apiClient());
        seed.namespace("shop");
        V1Pod pod = seed.deployment("shop", "web", 1, "web:1").get(0);
        start();
        Await.holds(Duration.ofMillis(300), () -> events.isEmpty(), "no incident while healthy");
        long t0 = System.nanoTime();
        seed.setStatus(pod, ClusterSeed.crashLooping(6));
        Await.until(WAIT, () -> !opened().isEmpty(), "an incident opened");
        long micros = (System.nanoTime() - t0) / 1000;
        System.out.println("status change -> incident opened: " + micros + " us");

        Incident i = one(opened()).incident();
        assertEquals(IncidentTypes.CRASH_LOOP, i.type());
        assertEquals("crash-loop:Deployment/shop/web", i.fingerprint());
        assertTrue(i.involves(io.kubeincident.api.ResourceRef.of("Pod", "shop", pod.getMetadata().getName())));
        assertTrue(loop.detections() >= 1);
        // A sweep finds the same incident, not a second one.
        assertTrue(loop.sweep());
        assertEquals(1, opened().size());
        assertEquals(1, loop.correlator().active().size());
    }

    @Test
    void aStormOf30CrashLoopingPodsOfOneDeploymentIsOneIncident() throws Exception {
        ClusterSeed seed = new ClusterSeed(kube.apiClient());
        seed.namespace("shop");
        List<V1Pod> pods = seed.deployment("shop", "web", 30, "web:1");
        start();
        for (V1Pod p : pods) seed.setStatus(p, ClusterSeed.crashLooping(4));
        Await.until(WAIT, () -> loop.correlator().active().stream().anyMatch(i -> i.findings().size() == 30),
                "all 30 pods in the incident");
        Incident i = one(loop.correlator().active());
        assertEquals(1, opened().size(), "one incident opened for the storm");
        assertEquals(32, i.resources().size());
        assertEquals("Deployment/shop/web", i.rootResource().key());
        assertTrue(events.stream().allMatch(e -> e.incident().id().equals(i.id())));
    }

    @Test
    void podsThatRecoverOrAreDeletedResolveTheIncidentAfterTheQuietPeriod() throws Exception {
        ClusterSeed seed = new ClusterSeed(kube.apiClient());
        seed.namespace("shop");
        List<V1Pod> pods = seed.deployment("shop", "web", 2, "web:1");
        MutableClock clock = new MutableClock(java.time.Instant.now());
        ClusterMonitor monitor = ClusterMonitor.builder().watchClient(kube.informerApiClient()).build();
        loop = DetectionLoop.builder(monitor, new DetectorSet(List.of(new CrashLoopDetector()), null)).clock(clock)
                .onEvent(events::add).build();
        loop.start();
        assertTrue(monitor.awaitReady(WAIT));
        seed.setStatus(pods.get(0), ClusterSeed.crashLooping(5));
        seed.setStatus(pods.get(1), ClusterSeed.crashLooping(5));
        Await.until(WAIT, () -> loop.correlator().active().stream().anyMatch(i -> i.findings().size() == 2), "both pods");

        seed.setStatus(pods.get(0), ClusterSeed.running());
        Await.until(WAIT, () -> events.stream().anyMatch(e -> e instanceof IncidentEvent.Updated
                && e.incident().findings().size() == 1), "the recovered pod leaves the incident");
        seed.core().deleteNamespacedPod(pods.get(1).getMetadata().getName(), "shop").execute();
        Await.until(WAIT, () -> {
            clock.advance(Duration.ofMinutes(6));
            loop.correlator().tick().forEach(events::add);
            return events.stream().anyMatch(e -> e instanceof IncidentEvent.Resolved);
        }, "resolved once the deleted pod's findings are gone for the quiet period");
        assertEquals(1, opened().size());
        none(loop.correlator().active());
    }

    @Test
    void aWatchExpiringWith410RelistsAndTheChangeMadeMeanwhileIsNotLost() throws Exception {
        ClusterSeed seed = new ClusterSeed(kube.apiClient());
        seed.namespace("shop");
        V1Pod pod = seed.deployment("shop", "web", 1, "web:1").get(0);
        FaultInterceptor faults = new FaultInterceptor();
        // The first pod watch expires; at that moment the pod starts crash-looping, unseen by any watch.
        faults.expireNextWatches("pods", 1, () -> {
            try {
                seed.setStatus(pod, ClusterSeed.crashLooping(7));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        start(faulty(faults), MonitorConfig.defaults());
        Await.until(WAIT, () -> !opened().isEmpty(), "incident found after the relist");
        assertTrue(loop.monitor().stats().get(WatchedKind.POD).lists() >= 2, "pods were re-listed");
        assertEquals(1, opened().size());
    }

    @Test
    void aDroppedWatchLosesAnEventButTheRelistFindsTheIncident() throws Exception {
        ClusterSeed seed = new ClusterSeed(kube.apiClient());
        seed.namespace("shop");
        V1Pod pod = seed.deployment("shop", "web", 1, "web:1").get(0);
        FaultInterceptor faults = new FaultInterceptor();
        start(faulty(faults), MonitorConfig.defaults());
        long listsBefore = loop.monitor().stats().get(WatchedKind.POD).lists();
        faults.dropWatchOnNextEvent("pods", () -> { });
        seed.setStatus(pod, ClusterSeed.crashLooping(5));
        Await.until(WAIT, () -> !opened().isEmpty(), "incident found after the watch dropped");
        assertTrue(loop.monitor().stats().get(WatchedKind.POD).lists() > listsBefore, "pods were re-listed");
        assertEquals(1, opened().size());
    }

    @Test
    void aForbiddenKindIsDisabledOnceAndTheOthersKeepWorking() throws Exception {
        ClusterSeed seed = new ClusterSeed(kube.apiClient());
        seed.namespace("shop");
        V1Pod pod = seed.deployment("shop", "web", 1, "web:1").get(0);
        FaultInterceptor faults = new FaultInterceptor().forbid("persistentvolumeclaims").forbid("horizontalpodautoscalers");
        start(faulty(faults), MonitorConfig.defaults());
        ClusterMonitor m = loop.monitor();
        assertTrue(m.isReady(), "ready without the forbidden kinds");
        assertEquals(java.util.Set.of(WatchedKind.PERSISTENT_VOLUME_CLAIM, WatchedKind.HORIZONTAL_POD_AUTOSCALER),
                m.disabledKinds().keySet());
        contains(m.disabledKinds().get(WatchedKind.PERSISTENT_VOLUME_CLAIM), "forbidden (403)", "cannot list");
        assertFalse(m.view().available(io.kubernetes.client.openapi.models.V1PersistentVolumeClaim.class));
        none(m.view().list(io.kubernetes.client.openapi.models.V1PersistentVolumeClaim.class, null));
        seed.setStatus(pod, ClusterSeed.crashLooping(5));
        Await.until(WAIT, () -> !opened().isEmpty(), "pods still detected");
        int answers = faults.forbiddenAnswers();
        Thread.sleep(1500); // the reflector would retry every second were the kind not stopped
        assertEquals(answers, faults.forbiddenAnswers(), "no retry storm against a forbidden kind");
    }
}

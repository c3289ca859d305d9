package io.kubeincident.core.evidence;

import io.kubeincident.api.EventSummary;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.LogExcerpt;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.RolloutRevision;
import io.kubeincident.core.correlate.CorrelationConfig;
import io.kubeincident.core.correlate.Correlator;
import io.kubeincident.core.detect.BasicDetectionContext;
import io.kubeincident.core.detect.CrashLoopDetector;
import io.kubeincident.core.detect.DetectorSet;
import io.kubeincident.core.detect.NodeNotReadyDetector;
import io.kubeincident.core.monitor.InformerClusterView;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubeincident.testkit.server.LoopbackKubeServer;
import io.kubeincident.testkit.server.RbacDecision;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.kubeincident.core.fixtures.Assertions2.*;
import static io.kubeincident.core.fixtures.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class EvidenceGathererTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    final V1Deployment web = deployment("shop", "web", 3, "registry.example.com/web:2.0.0");
    final V1ReplicaSet old = replicaSet(web, "6c5d4", 1, "registry.example.com/web:1.9.3", 0, minutesAgo(60 * 24 * 3));
    final V1ReplicaSet current = replicaSet(web, "7d4b9c", 2, "registry.example.com/web:2.0.0", 3, minutesAgo(12));
    final List<KubernetesObject> objects = new ArrayList<>();

    {
        web.getMetadata().putAnnotationsItem("deployment.kubernetes.io/revision", "2");
        old.getStatus().replicas(0).readyReplicas(0).availableReplicas(0);
        current.getStatus().readyReplicas(0).availableReplicas(0);
        objects.addAll(List.of(web, old, current));
    }

    Incident incident(InformerClusterView view) {
        DetectorSet detectors = new DetectorSet(List.of(new CrashLoopDetector(), new NodeNotReadyDetector()), null);
        Map<ResourceRef, List<Finding>> found = detectors.sweep(view, new BasicDetectionContext(view, null, CLOCK), null);
        List<Finding> all = new ArrayList<>();
        found.values().forEach(all::addAll);
        return one(new Correlator(CorrelationConfig.defaults(), CLOCK).correlate(all, view, NOW));
    }

    List<V1Pod> crashingPods(int n) {
        List<V1Pod> pods = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            V1Pod p = crashLooping(pod(current, "p" + i, "node-" + i), 5 + i, 1, "Error");
            pods.add(p);
            objects.add(p);
            objects.add(event(p, "Warning", "BackOff", "Back-off restarting failed container app in pod "
                    + p.getMetadata().getName() + "_shop(" + p.getMetadata().getUid() + ")", 10, minutesAgo(11), secondsAgo(30 + i)));
            objects.add(event(p, "Normal", "Pulled", "Container image \"registry.example.com/web:2.0.0\" already present on machine",
                    4, minutesAgo(11), minutesAgo(1)));
        }
        return pods;
    }

    @Test
    void eventsAreFoldedAcrossTheStormWithSummedCountsWarningFirst() {
        crashingPods(3);
        objects.add(event(current, "Warning", "FailedCreate", "Error creating: pods \"web-7d4b9c-zz\" is forbidden: exceeded quota",
                2, minutesAgo(5), minutesAgo(2)));
        InformerClusterView view = InformerClusterView.of(objects);
        Evidence e = new EvidenceGatherer(null, CLOCK).gather(incident(view), view).evidence();
        List<EventSummary> warnings = e.events().stream().filter(s -> s.type().equals("Warning")).toList();
        assertEquals("Warning", e.events().get(0).type());
        EventSummary backOff = one(warnings.stream().filter(s -> s.reason().equals("BackOff")).toList());
        assertEquals(30, backOff.count(), "three pods times ten");
        assertEquals(minutesAgo(11).toInstant(), backOff.firstSeen());
        assertEquals(secondsAgo(30).toInstant(), backOff.lastSeen());
        assertEquals(12, one(e.events().stream().filter(s -> s.reason().equals("Pulled")).toList()).count());
        assertTrue(warnings.stream().anyMatch(s -> s.reason().equals("FailedCreate")), "events of the ReplicaSet too");
        int lastWarning = e.events().lastIndexOf(warnings.get(warnings.size() - 1));
        assertTrue(e.events().subList(0, lastWarning + 1).stream().allMatch(s -> s.type().equals("Warning")));
    }

    @Test
    void rolloutHistoryWithImagesTimesAndFacts() {
        crashingPods(1);
        InformerClusterView view = InformerClusterView.of(objects);
        Evidence e = new EvidenceGatherer(null, CLOCK).gather(incident(view), view).evidence();
        assertEquals(List.of(2L, 1L), e.rolloutHistory().stream().map(RolloutRevision::revision).toList());
        RolloutRevision cur = e.rolloutHistory().get(0);
        assertTrue(cur.current());
        assertEquals(List.of("registry.example.com/web:2.0.0"), cur.images());
        assertEquals(minutesAgo(12).toInstant(), cur.createdAt());
        hasFacts(e.facts(), "rolloutRecent", "true", "minutesSinceRollout", "12", "currentRevision", "2", "previousRevision", "1",
                "currentImage", "registry.example.com/web:2.0.0", "previousImage", "registry.example.com/web:1.9.3");
        assertFalse(e.facts().containsKey("previousRevisionHealthy"), "scaled to zero: health unknown, not guessed");
        assertEquals(List.of("Pod/shop/web-7d4b9c-p0", "ReplicaSet/shop/web-7d4b9c", "Deployment/shop/web"),
                e.ownerChain().stream().map(ResourceRef::key).toList());
    }

    @Test
    void previousRevisionStillServingIsHealthyAndAnOldRolloutIsNotRecent() {
        old.getStatus().replicas(2).readyReplicas(2);
        crashingPods(1);
        InformerClusterView view = InformerClusterView.of(objects);
        hasFacts(new EvidenceGatherer(null, CLOCK).gather(incident(view), view).evidence().facts(), "previousRevisionHealthy", "true");

        old.getStatus().replicas(2).readyReplicas(0);
        current.getMetadata().creationTimestamp(minutesAgo(600));
        InformerClusterView view2 = InformerClusterView.of(objects);
        hasFacts(new EvidenceGatherer(null, CLOCK).gather(incident(view2), view2).evidence().facts(), "previousRevisionHealthy", "false",
                "rolloutRecent", "false", "minutesSinceRollout", "600");
    }

    @Test
    void logTailsOfCurrentAndPreviousContainerAreBoundedAndRedacted(LoopbackKubeServer server) throws Exception {
        List<V1Pod> pods = crashingPods(3);
        ApiClient client = server.apiClient();
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("shop"))).execute();
        StringBuilder longLog = new StringBuilder();
        for (int i = 0; i < 500; i++) longLog.append("line ").append(i).append(" processing order ").append(i * 7).append('\n');
        for (V1Pod p : pods) {
            core.createNamespacedPod("shop", new V1Pod().metadata(new V1ObjectMeta().name(p.getMetadata().getName()).namespace("shop"))
                    .spec(p.getSpec())).execute();
            server.expectPodLog("shop", p.getMetadata().getName(), "app", true,
                    "starting\nconnecting to postgres://app:hunter2@db:5432/orders\npanic: connection refused\n");
            server.expectPodLog("shop", p.getMetadata().getName(), "app", false, longLog.toString());
        }
        InformerClusterView view = InformerClusterView.of(objects);
        EvidenceConfig cfg = new EvidenceConfig(40, 600, 32768, 2, 20, 10, Duration.ofMinutes(30), List.of());
        Evidence e = new EvidenceGatherer(client, CLOCK, cfg).gather(incident(view), view).evidence();
        assertEquals(4, e.logs().size(), "previous and current of the two worst pods");
        assertEquals(java.util.Set.of("web-7d4b9c-p2", "web-7d4b9c-p1"),
                e.logs().stream().map(l -> l.pod().name()).collect(java.util.stream.Collectors.toSet()), "most restarts first");
        LogExcerpt previous = e.logs().stream().filter(LogExcerpt::previous).findFirst().orElseThrow();
        assertEquals("app", previous.container());
        assertEquals(List.of("starting", "connecting to postgres://app:[REDACTED]@db:5432/orders", "panic: connection refused"),
                previous.lines());
        assertFalse(previous.truncated());
        LogExcerpt now = e.logs().stream().filter(l -> !l.previous()).findFirst().orElseThrow();
        assertTrue(now.truncated());
        assertTrue(String.join("\n", now.lines()).getBytes().length <= 600);
        assertTrue(now.lines().size() <= 40);
        contains(now.lines().get(0), "line 460");
    }

    @Test
    void configMapsChangedAfterTheLastGoodRevisionAreNamedAndSecretsNeverRead(LoopbackKubeServer server) throws Exception {
        current.getMetadata().creationTimestamp(minutesAgo(60 * 24 * 2)); // an old rollout, presumed good until now
        web.getSpec().getTemplate().getSpec()
                .addVolumesItem(new V1Volume().name("cfg").configMap(new V1ConfigMapVolumeSource().name("web-config")))
                .addVolumesItem(new V1Volume().name("tls").secret(new V1SecretVolumeSource().secretName("web-tls")));
        web.getSpec().getTemplate().getSpec().getContainers().get(0)
                .addEnvFromItem(new V1EnvFromSource().configMapRef(new V1ConfigMapEnvSource().name("feature-flags")))
                .addEnvItem(new V1EnvVar().name("DB_PASSWORD").valueFrom(new V1EnvVarSource()
                        .secretKeyRef(new V1SecretKeySelector().name("db").key("password"))));
        crashingPods(1);
        List<String> paths = new java.util.concurrent.CopyOnWriteArrayList<>();
        ApiClient client = server.apiClient();
        client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(chain -> {
            paths.add(chain.request().method() + " " + chain.request().url().encodedPath());
            return chain.proceed(chain.request());
        }).build());
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("shop"))).execute();
        core.createNamespacedConfigMap("shop", new V1ConfigMap().metadata(new V1ObjectMeta().name("web-config").namespace("shop"))
                .putDataItem("DATABASE_URL", "postgres://db:5432/orders")).execute(); // created now: after the revision
        core.createNamespacedSecret("shop", new V1Secret().metadata(new V1ObjectMeta().name("db").namespace("shop"))
                .putStringDataItem("password", "hunter2")).execute();
        paths.clear();
        InformerClusterView view = InformerClusterView.of(objects);
        Evidence e = new EvidenceGatherer(client, java.time.Clock.systemUTC()).gather(incident(view), view).evidence();
        hasFacts(e.facts(), "changedConfigMaps", "web-config", "missingConfigMaps", "feature-flags",
                "referencedConfigMaps", "feature-flags,web-config", "referencedSecrets", "db,web-tls");
        assertTrue(paths.stream().noneMatch(p -> p.contains("/secrets")), paths.toString());
        assertTrue(paths.stream().anyMatch(p -> p.endsWith("/configmaps/web-config")), paths.toString());
        assertFalse(e.toString().contains("postgres://db:5432/orders"), "ConfigMap data is not evidence");
    }

    /** The shipped RBAC grants {@code get configmaps} and {@code get pods/log}; here one or the other. */
    private Evidence gatherUnderRbac(LoopbackKubeServer server, String rules, List<String> bodies) throws Exception {
        current.getMetadata().creationTimestamp(minutesAgo(60 * 24 * 2));
        web.getSpec().getTemplate().getSpec()
                .addVolumesItem(new V1Volume().name("cfg").configMap(new V1ConfigMapVolumeSource().name("web-config")));
        crashingPods(1);
        CoreV1Api admin = new CoreV1Api(server.apiClient());
        admin.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("shop"))).execute();
        admin.createNamespacedConfigMap("shop", new V1ConfigMap().metadata(new V1ObjectMeta().name("web-config").namespace("shop"))
                .putDataItem("DATABASE_URL", "postgres://db:5432/orders")).execute();
        server.loadRbac("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: evidence}
                rules:
                """ + rules + """
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: evidence}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: evidence}
                subjects: [{kind: ServiceAccount, name: responder, namespace: kube-incident}]
                """);
        server.enforceRbac();
        ApiClient client = server.apiClientAs("kube-incident", "responder");
        client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(chain -> {
            okhttp3.Response r = chain.proceed(chain.request());
            bodies.add(r.peekBody(1 << 20).string());
            return r;
        }).build());
        InformerClusterView view = InformerClusterView.of(objects);
        return new EvidenceGatherer(client, java.time.Clock.systemUTC()).gather(incident(view), view).evidence();
    }

    @Test
    void underTheShippedRbacAChangedConfigMapIsFoundFromItsMetadataAloneAndRefusedReadsAreNamed() throws Exception {
        List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (LoopbackKubeServer server = LoopbackKubeServer.start()) {
            Evidence e = gatherUnderRbac(server, "  - {apiGroups: [\"\"], resources: [configmaps], verbs: [get]}\n", bodies);
            hasFacts(e.facts(), "changedConfigMaps", "web-config");
            assertFalse(bodies.isEmpty());
            assertTrue(bodies.stream().noneMatch(b -> b.contains("postgres://")), "the ConfigMap's values never reach the process");
            assertTrue(bodies.stream().anyMatch(b -> b.contains("PartialObjectMetadata")), bodies.toString());
            // No pods/log in this role: the evidence says what it could not read.
            assertEquals("get pods/log shop/web-7d4b9c-p0", e.facts().get(EvidenceGatherer.UNREADABLE));
            assertTrue(e.logs().isEmpty());
            assertEquals(List.of("pods/log"), server.rbacDenials().stream().map(RbacDecision::combinedResource).distinct().toList());
        }
    }

    @Test
    void withoutConfigMapReadsTheEvidenceSaysWhatItCouldNotSee() throws Exception {
        List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (LoopbackKubeServer server = LoopbackKubeServer.start()) {
            Evidence e = gatherUnderRbac(server, "  - {apiGroups: [\"\"], resources: [pods/log], verbs: [get]}\n", bodies);
            assertFalse(e.facts().containsKey("changedConfigMaps"));
            assertFalse(e.facts().containsKey("missingConfigMaps"), "refused is not missing");
            assertEquals("get configmaps shop/web-config", e.facts().get(EvidenceGatherer.UNREADABLE));
        }
    }

    @Test
    void nodeConditionsOfTheNodesInvolved() {
        V1Node n = node("node-0");
        setNodeCondition(n, "MemoryPressure", "True", "KubeletHasInsufficientMemory", "low memory", minutesAgo(3));
        objects.add(n);
        crashingPods(1);
        InformerClusterView view = InformerClusterView.of(objects);
        Evidence e = new EvidenceGatherer(null, CLOCK).gather(incident(view), view).evidence();
        hasFacts(e.facts(), "node.node-0.Ready", "True", "node.node-0.MemoryPressure", "True (KubeletHasInsufficientMemory)",
                "node.node-0.DiskPressure", "False", "podCount", "1");
    }

    @Test
    void aFailingApiDegradesTheEvidenceInsteadOfThrowing() {
        crashingPods(1);
        InformerClusterView view = InformerClusterView.of(objects);
        ApiClient dead = new ApiClient();
        dead.setBasePath("http://127.0.0.1:1");
        Evidence e = new EvidenceGatherer(dead, CLOCK).gather(incident(view), view).evidence();
        none(e.logs());
        assertFalse(e.rolloutHistory().isEmpty());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> EvidenceConfig.from(
                io.kubeincident.api.ConfigView.of(Map.of("evidence.log_lines", "many", "evidence.redact_patterns", "(("))));
        contains(bad.getMessage(), "evidence.log_lines", "evidence.redact_patterns");
    }
}

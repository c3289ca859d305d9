package io.kubeincident.core.detect;

import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.spi.OutcomeHistory;
import io.kubeincident.spi.ProviderContext;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static io.kubeincident.core.fixtures.Assertions2.*;
import static io.kubeincident.core.fixtures.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

public class DetectorSetTest {

    /** A provider context with empty configuration, for creating detectors outside the engine. */
    public static final class Ctx implements ProviderContext {
        private final ProviderContext delegate = providerContext(ConfigView.empty());

        public ConfigView config() {
            return delegate.config();
        }

        public Optional<ApiClient> apiClient() {
            return Optional.empty();
        }

        public Clock clock() {
            return CLOCK;
        }

        public ClusterView cluster() {
            return delegate.cluster();
        }

        public OutcomeHistory outcomes() {
            return OutcomeHistory.none();
        }
    }

    static ProviderContext providerContext(ConfigView config) {
        return new ProviderContext() {
            public ConfigView config() {
                return config;
            }

            public Optional<ApiClient> apiClient() {
                return Optional.empty();
            }

            public Clock clock() {
                return CLOCK;
            }

            public ClusterView cluster() {
                return io.kubeincident.core.monitor.InformerClusterView.of();
            }

            public OutcomeHistory outcomes() {
                return OutcomeHistory.none();
            }
        };
    }

    @Test
    void serviceLoaderFindsADetectorForEveryBuiltInType() {
        Set<String> types = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (DetectorProvider p : ServiceLoader.load(DetectorProvider.class)) {
            Detector d = p.create(providerContext(ConfigView.empty()));
            assertTrue(io.kubeincident.api.Ids.isKebab(d.id()), d.id());
            assertTrue(ids.add(d.id()), "duplicate id " + d.id());
            assertFalse(d.kinds().isEmpty());
            types.addAll(d.incidentTypes());
        }
        List<String> expected = new ArrayList<>(IncidentTypes.BUILT_IN);
        expected.remove(IncidentTypes.ARGOCD_DEGRADED); // reported by the Argo CD module
        expected.remove(IncidentTypes.ALERT); // reported by finding sources (Alertmanager, metrics rules)
        assertTrue(types.containsAll(expected), () -> "missing " + expected.stream().filter(t -> !types.contains(t)).toList());
    }

    @Test
    void disabledDetectorsAreNotEnabledAndBadConfigIsReportedByKey() {
        ConfigView cfg = ConfigView.of(Map.of("detection.disabled", "crash-loop, hpa-maxed"));
        assertFalse(new CrashLoopDetectorProvider().enabled(providerContext(cfg)));
        assertTrue(new ImagePullDetectorProvider().enabled(providerContext(cfg)));
        ConfigView bad = ConfigView.of(Map.of("detection.pending_threshold", "soon", "detection.crash_loop_min_restarts", "0",
                "detection.oom_window", "-5m"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new UnschedulableDetectorProvider().create(providerContext(bad)));
        contains(e.getMessage(), "detection.pending_threshold", "detection.crash_loop_min_restarts");
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                () -> DetectionConfig.from(ConfigView.of(Map.of("detection.oom_window", "-5m"))));
        contains(neg.getMessage(), "detection.oom_window");
    }

    @Test
    void theEngineRefusesBadDetectionCorrelationAndEvidenceKeysAtBuildTime() {
        io.kubeincident.core.config.ConfigException e = assertThrows(io.kubeincident.core.config.ConfigException.class,
                () -> io.kubeincident.core.IncidentEngine.builder().config(Map.of("detection.pending_threshold", "soon",
                        "correlation.quiet_period", "-1m", "evidence.log_lines", "many")).build());
        contains(String.join("\n", e.problems()), "detection.pending_threshold", "correlation.quiet_period", "evidence.log_lines");
    }

    @Test
    void configDefaultsAndOverrides() {
        DetectionConfig d = DetectionConfig.defaults();
        assertEquals(1, d.crashLoopMinRestarts());
        assertEquals(java.time.Duration.ofMinutes(5), d.pendingThreshold());
        DetectionConfig c = DetectionConfig.from(ConfigView.of(Map.of("detection.pending_threshold", "90",
                "detection.node_not_ready_threshold", "PT30S")));
        assertEquals(java.time.Duration.ofSeconds(90), c.pendingThreshold());
        assertEquals(java.time.Duration.ofSeconds(30), c.nodeNotReadyThreshold());
    }

    @Test
    void onlyDetectorsOfTheObjectsKindRunAndAFailingOneIsSkipped() {
        AtomicInteger nodeCalls = new AtomicInteger();
        Detector nodeSpy = new Detector() {
            public String id() {
                return "node-spy";
            }

            public Set<String> kinds() {
                return Set.of("Node");
            }

            public List<Finding> detect(KubernetesObject o, DetectionContext c) {
                nodeCalls.incrementAndGet();
                return List.of();
            }
        };
        Detector broken = new Detector() {
            public String id() {
                return "broken";
            }

            public Set<String> kinds() {
                return Set.of("Pod");
            }

            public List<Finding> detect(KubernetesObject o, DetectionContext c) {
                throw new IllegalStateException("boom");
            }
        };
        List<String> errors = new ArrayList<>();
        DetectorSet set = new DetectorSet(List.of(nodeSpy, broken, new CrashLoopDetector()),
                (d, o, e) -> errors.add(d.id() + ":" + e.getMessage()));
        V1Deployment web = deployment("shop", "web", 1, "web:1");
        V1ReplicaSet rs = replicaSet(web, "abc", 1, "web:1", 1, minutesAgo(10));
        V1Pod pod = crashLooping(pod(rs, "p1", "node-a"), 5, 1, "Error");
        Finding f = one(set.detect(pod, context(pod)));
        assertEquals("crash-loop", f.detectorId());
        assertEquals(List.of("broken:boom"), errors);
        assertEquals(0, nodeCalls.get());
        set.detect(node("node-a"), context());
        assertEquals(1, nodeCalls.get());
        assertEquals(Set.of("Node", "Pod"), set.kinds());
    }

    @Test
    void sweepVisitsEveryCachedObjectInScope() {
        DetectorSet set = new DetectorSet(List.of(new CrashLoopDetector(), new NodeNotReadyDetector()), null);
        V1Deployment web = deployment("shop", "web", 2, "web:1");
        V1ReplicaSet rs = replicaSet(web, "abc", 1, "web:1", 2, minutesAgo(10));
        V1Pod bad = crashLooping(pod(rs, "p1", "node-a"), 5, 1, "Error");
        V1Pod good = pod(rs, "p2", "node-a");
        V1Pod system = crashLooping(pod("kube-system", "coredns-1", "coredns:1", "node-a"), 5, 1, "Error");
        V1Node down = node("node-b");
        setNodeCondition(down, "Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", minutesAgo(5));
        DetectionContext ctx = context(web, rs, bad, good, system, down, node("node-a"));
        Map<ResourceRef, List<Finding>> found = set.sweep(ctx.cluster(), ctx,
                o -> !"kube-system".equals(o.getMetadata().getNamespace()));
        assertEquals(Set.of("Pod/shop/web-abc-p1", "Node/node-b"),
                found.keySet().stream().map(ResourceRef::key).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void detectorsNeverThrowOnEmptyObjects() {
        // Objects as a half-initialised cache might hold them: no status, no spec.
        List<KubernetesObject> empties = List.of(new V1Pod().metadata(meta("a", "p", minutesAgo(1))),
                new V1Deployment().metadata(meta("a", "d", minutesAgo(1))),
                new V1ReplicaSet().metadata(meta("a", "r", minutesAgo(1))),
                new io.kubernetes.client.openapi.models.V1StatefulSet().metadata(meta("a", "s", minutesAgo(1))),
                new io.kubernetes.client.openapi.models.V1DaemonSet().metadata(meta("a", "ds", minutesAgo(1))),
                new io.kubernetes.client.openapi.models.V1Job().metadata(meta("a", "j", minutesAgo(1))),
                new V1Node().metadata(new io.kubernetes.client.openapi.models.V1ObjectMeta().name("n")),
                new io.kubernetes.client.openapi.models.V1Service().metadata(meta("a", "svc", minutesAgo(1))),
                new io.kubernetes.client.openapi.models.V1PersistentVolumeClaim().metadata(meta("a", "c", minutesAgo(1))),
                new io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler().metadata(meta("a", "h", minutesAgo(1))));
        List<String> errors = new ArrayList<>();
        List<Detector> all = new ArrayList<>();
        for (DetectorProvider p : ServiceLoader.load(DetectorProvider.class)) all.add(p.create(providerContext(ConfigView.empty())));
        DetectorSet set = new DetectorSet(all, (d, o, e) -> errors.add(d.id() + ": " + e));
        DetectionContext ctx = context(empties);
        for (KubernetesObject o : empties) none(set.detect(o, ctx));
        assertEquals(List.of(), errors);
    }
}

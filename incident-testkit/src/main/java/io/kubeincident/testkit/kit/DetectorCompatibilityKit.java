package io.kubeincident.testkit.kit;

import io.kubeincident.api.Finding;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.testkit.context.ListClusterView;
import io.kubeincident.testkit.context.TestContexts;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compatibility kit for {@link Detector}s. Subclass it in your tests:
 *
 * <pre>{@code
 * class CrashLoopDetectorCompatibilityTest extends DetectorCompatibilityKit {
 *     protected Detector detector() { return new CrashLoopDetector(ConfigView.empty()); }
 *     protected Class<? extends DetectorProvider> providerClass() { return CrashLoopDetectorProvider.class; }
 *     protected List<KubernetesObject> healthyObjects() {
 *         return List.of(PodBuilder.pod("default", "ok").running().build());
 *     }
 *     protected List<KubernetesObject> unhealthyObjects() {
 *         return List.of(PodBuilder.pod("default", "bad").crashLoopBackOff(5).build());
 *     }
 * }
 * }</pre>
 *
 * Checks: a stable kebab-case id and declared kinds; the provider is registered for
 * {@link java.util.ServiceLoader} and creates a detector with the same id; healthy objects give no
 * findings, unhealthy ones give findings of this detector about that object; half-empty and
 * unexpected objects never make it throw or return null; it never modifies the object.
 */
public abstract class DetectorCompatibilityKit {

    /** The detector under test, built by hand. */
    protected abstract Detector detector();

    /** Its ServiceLoader provider class. */
    protected abstract Class<? extends DetectorProvider> providerClass();

    /** Objects the detector must find nothing wrong with. */
    protected abstract List<KubernetesObject> healthyObjects();

    /** Objects the detector must report (default none: that check is skipped). */
    protected List<KubernetesObject> unhealthyObjects() {
        return List.of();
    }

    /**
     * Objects that only give context (owners, events, nodes): in the cluster view of every check, never
     * passed to {@code detect} themselves. Default none.
     */
    protected List<KubernetesObject> contextObjects() {
        return List.of();
    }

    /**
     * The context detection runs with (default: a fixed clock and {@code view}, which holds the
     * objects of the same check, healthy or unhealthy, plus {@link #contextObjects()}).
     */
    protected DetectionContext context(ClusterView view) {
        return TestContexts.detection().cluster(view).build();
    }

    /** The context its provider gets. */
    protected ProviderContext providerContext() {
        return TestContexts.provider().build();
    }

    private ClusterView view(List<KubernetesObject> objects) {
        List<KubernetesObject> all = new ArrayList<>(objects);
        all.addAll(contextObjects());
        return ListClusterView.of(all);
    }

    @Test
    public void idIsStableKebabCase() {
        KitSupport.assertKebabAndStable(detector().id(), detector().id(), "Detector");
    }

    @Test
    public void declaresTheKindsItLooksAt() {
        assertNotNull(detector().kinds(), "kinds() must not be null");
        assertFalse(detector().kinds().isEmpty(), "kinds() must name at least one kind");
        assertNotNull(detector().incidentTypes(), "incidentTypes() must not be null");
    }

    @Test
    public void discoverableThroughServiceLoader() {
        DetectorProvider p = KitSupport.loadProvider(DetectorProvider.class, providerClass());
        Detector created = p.create(providerContext());
        assertNotNull(created, providerClass().getName() + ".create returned null");
        assertEquals(detector().id(), created.id(), "the provider must create a detector with the same id");
    }

    @Test
    public void healthyObjectsGiveNoFindings() {
        Detector d = detector();
        DetectionContext ctx = context(view(healthyObjects()));
        for (KubernetesObject o : healthyObjects()) {
            List<Finding> f = d.detect(o, ctx);
            assertNotNull(f, "detect must return an empty list, not null, for " + describe(o));
            assertTrue(f.isEmpty(), "healthy " + describe(o) + " gave findings: " + f);
        }
    }

    @Test
    public void unhealthyObjectsGiveFindingsOfThisDetector() {
        Detector d = detector();
        DetectionContext ctx = context(view(unhealthyObjects()));
        for (KubernetesObject o : unhealthyObjects()) {
            List<Finding> findings = d.detect(o, ctx);
            assertNotNull(findings, "detect returned null for " + describe(o));
            assertFalse(findings.isEmpty(), "unhealthy " + describe(o) + " gave no finding");
            for (Finding f : findings) {
                assertEquals(d.id(), f.detectorId(), "a finding must carry the detector's id");
                if (!d.incidentTypes().isEmpty()) {
                    assertTrue(d.incidentTypes().contains(f.incidentType()),
                            "incident type " + f.incidentType() + " is not among the declared " + d.incidentTypes());
                }
                assertFalse(f.message().isBlank(), "a finding needs a human message");
            }
        }
    }

    @Test
    public void oddAndHalfEmptyObjectsNeverThrow() {
        Detector d = detector();
        DetectionContext ctx = context(ListClusterView.empty());
        List<KubernetesObject> odd = new ArrayList<>(List.of(
                new V1Pod(),
                new V1Pod().metadata(new V1ObjectMeta().name("no-spec").namespace("default")),
                new V1Pod().metadata(new V1ObjectMeta().name("empty-status").namespace("default")).spec(new V1PodSpec())
                        .status(new V1PodStatus()),
                new V1Pod().metadata(new V1ObjectMeta().name("odd-container").namespace("default")).spec(new V1PodSpec())
                        .status(new V1PodStatus().phase("Running").containerStatuses(List.of(new V1ContainerStatus().name("c")))),
                new V1Node(),
                new V1Node().metadata(new V1ObjectMeta().name("n")).status(new V1NodeStatus()),
                new V1Deployment().metadata(new V1ObjectMeta().name("d").namespace("default")).spec(new V1DeploymentSpec())
                        .status(new V1DeploymentStatus()),
                new V1ReplicaSet().metadata(new V1ObjectMeta().name("rs").namespace("default")),
                new V1StatefulSet().metadata(new V1ObjectMeta().name("sts").namespace("default"))));
        for (KubernetesObject o : healthyObjects()) odd.add(withoutStatus(o));
        for (KubernetesObject o : unhealthyObjects()) odd.add(withoutStatus(o));
        odd.addAll(unhealthyObjects());
        for (KubernetesObject o : odd) {
            try {
                assertNotNull(d.detect(o, ctx), "detect returned null for " + describe(o));
            } catch (RuntimeException e) {
                fail("detect threw on " + describe(o) + ": " + e, e);
            }
        }
    }

    @Test
    public void neverModifiesTheObject() {
        Detector d = detector();
        List<KubernetesObject> all = new ArrayList<>(healthyObjects());
        all.addAll(unhealthyObjects());
        DetectionContext ctx = context(view(all));
        for (KubernetesObject o : all) {
            String before = JSON.serialize(o);
            d.detect(o, ctx);
            assertEquals(before, JSON.serialize(o), "detect modified " + describe(o));
        }
    }

    private static KubernetesObject withoutStatus(KubernetesObject o) {
        KubernetesObject copy = JSON.deserialize(JSON.serialize(o), o.getClass());
        if (copy instanceof V1Pod p) p.setStatus(null);
        if (copy instanceof V1Node n) n.setStatus(null);
        if (copy instanceof V1Deployment dep) dep.setStatus(null);
        if (copy instanceof V1ReplicaSet rs) rs.setStatus(null);
        if (copy instanceof V1StatefulSet s) s.setStatus(null);
        return copy;
    }

    private static String describe(KubernetesObject o) {
        String name = o.getMetadata() == null ? "<no metadata>" : o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
        return o.getClass().getSimpleName() + " " + name;
    }
}

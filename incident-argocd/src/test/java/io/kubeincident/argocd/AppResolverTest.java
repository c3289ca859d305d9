package io.kubeincident.argocd;

import io.kubeincident.testkit.MutableClock;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.ResourceRef;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static io.kubeincident.argocd.FakeCluster.deployment;
import static io.kubeincident.argocd.FakeCluster.pod;
import static io.kubeincident.argocd.FakeCluster.replicaSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppResolverTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));

    private static ArgoCdConfig config(Map<String, String> extra) {
        Map<String, String> m = new java.util.HashMap<>(Map.of("argocd.server_url", "https://argocd", "argocd.token", "t"));
        m.putAll(extra);
        return ArgoCdConfig.from(ConfigView.of(m), k -> null);
    }

    private AppResolver resolver(Map<String, String> extra, AppResolver.AppDirectory dir) {
        return new AppResolver(config(extra), clock, dir);
    }

    @Test
    void trackingLabelOnTheWorkload() {
        FakeCluster c = new FakeCluster().add(deployment("default", "web", Map.of("app.kubernetes.io/instance", "web-app"), null));
        AppResolver.Resolution r = resolver(Map.of(), null).resolve(ResourceRef.of("Deployment", "default", "web"), c);
        assertTrue(r.managed());
        assertEquals(AppRef.of("web-app"), r.app());
    }

    @Test
    void customTrackingLabel() {
        FakeCluster c = new FakeCluster().add(deployment("default", "web", Map.of("argocd.example.com/app", "web-app",
                "app.kubernetes.io/instance", "helm-release"), null));
        AppResolver.Resolution r = resolver(Map.of("argocd.tracking_label", "argocd.example.com/app",
                "argocd.tracking_method", "label"), null).resolve(ResourceRef.of("Deployment", "default", "web"), c);
        assertEquals(AppRef.of("web-app"), r.app());
    }

    @Test
    void trackingIdAnnotationIncludingAppsInAnyNamespace() {
        FakeCluster c = new FakeCluster()
                .add(deployment("default", "web", null,
                        Map.of(ArgoCdConfig.TRACKING_ID_ANNOTATION, "web-app:apps/Deployment:default/web")))
                .add(deployment("shop", "cart", null,
                        Map.of(ArgoCdConfig.TRACKING_ID_ANNOTATION, "team-a_cart:apps/Deployment:shop/cart")));
        AppResolver res = resolver(Map.of("argocd.tracking_method", "annotation"), null);
        assertEquals(AppRef.of("web-app"), res.resolve(ResourceRef.of("Deployment", "default", "web"), c).app());
        assertEquals(new AppRef("cart", "team-a"), res.resolve(ResourceRef.of("Deployment", "shop", "cart"), c).app());
    }

    @Test
    void aTrackingIdCopiedFromAnotherObjectIsIgnored() {
        FakeCluster c = new FakeCluster().add(deployment("default", "copy", null,
                Map.of(ArgoCdConfig.TRACKING_ID_ANNOTATION, "web-app:apps/Deployment:default/web")));
        AppResolver.Resolution r = resolver(Map.of("argocd.tracking_method", "annotation"), null)
                .resolve(ResourceRef.of("Deployment", "default", "copy"), c);
        assertFalse(r.managed());
        assertTrue(r.known());
        assertTrue(AppResolver.parseTrackingId("garbage", "Deployment", "default", "web").isEmpty());
        assertTrue(AppResolver.parseTrackingId("a:apps/StatefulSet:default/web", "Deployment", "default", "web").isEmpty());
        assertTrue(AppResolver.parseTrackingId("a:/ConfigMap:default/cfg", "ConfigMap", "default", "cfg").isPresent());
    }

    @Test
    void labelMethodIgnoresTheAnnotationAndViceVersa() {
        FakeCluster c = new FakeCluster().add(deployment("default", "web", Map.of("app.kubernetes.io/instance", "by-label"),
                Map.of(ArgoCdConfig.TRACKING_ID_ANNOTATION, "by-annotation:apps/Deployment:default/web")));
        ResourceRef ref = ResourceRef.of("Deployment", "default", "web");
        assertEquals("by-label", resolver(Map.of("argocd.tracking_method", "label"), null).resolve(ref, c).app().name());
        assertEquals("by-annotation", resolver(Map.of("argocd.tracking_method", "annotation"), null).resolve(ref, c).app().name());
        assertEquals("by-annotation", resolver(Map.of(), null).resolve(ref, c).app().name());
    }

    @Test
    void aPodIsManagedThroughItsOwners() {
        FakeCluster c = new FakeCluster()
                .add(deployment("default", "web", Map.of("app.kubernetes.io/instance", "web-app"), null))
                .add(replicaSet("default", "web-7d", "web"))
                .add(pod("default", "web-7d-abc", "web-7d"));
        AppResolver.Resolution r = resolver(Map.of(), null).resolve(ResourceRef.of("Pod", "default", "web-7d-abc"), c);
        assertEquals(AppRef.of("web-app"), r.app());
        assertEquals(ResourceRef.of("Deployment", "default", "web"), r.via());
    }

    @Test
    void aHelmLabelNamingNoArgoAppIsNotTracking() {
        FakeCluster c = new FakeCluster().add(deployment("default", "web", Map.of("app.kubernetes.io/instance", "helm-web"), null));
        AtomicReference<Optional<Boolean>> known = new AtomicReference<>(Optional.empty());
        AppResolver res = resolver(Map.of("argocd.cache_ttl", "0s"), app -> known.get());
        ResourceRef ref = ResourceRef.of("Deployment", "default", "web");
        assertTrue(res.resolve(ref, c).managed(), "while the app list is unknown a label counts (fail closed)");
        known.set(Optional.of(false));
        assertFalse(res.resolve(ref, c).managed());
        known.set(Optional.of(true));
        assertTrue(res.resolve(ref, c).managed());
    }

    @Test
    void answersAreCachedForTheTtlAndUnknownObjectsAreNot() {
        FakeCluster c = new FakeCluster().add(deployment("default", "web", Map.of("app.kubernetes.io/instance", "web-app"), null));
        AppResolver res = resolver(Map.of("argocd.cache_ttl", "60s"), null);
        ResourceRef ref = ResourceRef.of("Deployment", "default", "web");
        assertTrue(res.resolve(ref, c).managed());
        int gets = c.gets;
        assertTrue(res.resolve(ref, c).managed());
        assertEquals(gets, c.gets, "second answer from the cache");
        c.clear();
        clock.advance(Duration.ofSeconds(61));
        AppResolver.Resolution gone = res.resolve(ref, c);
        assertFalse(gone.managed());
        assertFalse(gone.known());
        c.add(deployment("default", "web", null, null));
        assertTrue(res.resolve(ref, c).known(), "unknown answers are not cached");
    }

    @Test
    void anApplicationTargetIsItself() {
        AppResolver.Resolution r = resolver(Map.of(), null).resolve(ResourceRef.of("Application", "argocd", "web"), new FakeCluster());
        assertEquals(new AppRef("web", "argocd"), r.app());
    }
}

package io.kubeincident.argocd;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the Argo CD application that manages a Kubernetes resource, from the objects in the engine's
 * {@link ClusterView}: the {@code argocd.argoproj.io/tracking-id} annotation
 * ({@code <app>:<group>/<kind>:<namespace>/<name>}, app optionally {@code <namespace>_<name>}) and/or the
 * tracking label (default {@code app.kubernetes.io/instance}), on the resource or, walking controller
 * owner references, on its owners (a Pod is managed through its ReplicaSet's Deployment).
 *
 * <p>A label is also what Helm sets, so a label naming an application Argo CD does not know is not taken
 * as tracking once the application list is known. Results are cached per resource for
 * {@link ArgoCdConfig#cacheTtl()}; objects not in the cluster view are not cached. Thread-safe.
 */
public final class AppResolver {
    private static final int MAX_DEPTH = 5;
    private static final int MAX_ENTRIES = 20_000;

    /** Answers whether Argo CD knows an application; empty while the application list is not known yet. */
    @FunctionalInterface
    public interface AppDirectory {
        Optional<Boolean> exists(AppRef app);

        AppDirectory UNKNOWN = app -> Optional.empty();
    }

    /**
     * The answer for one resource.
     *
     * @param app   the managing application, or null
     * @param via   the object that carries the tracking mark (the resource or one of its owners), or null
     * @param known false when the resource (or an owner on the way) is not in the cluster view, so that
     *              "not managed" could not be established
     */
    public record Resolution(AppRef app, ResourceRef via, boolean known) {
        static final Resolution UNMANAGED = new Resolution(null, null, true);
        static final Resolution UNKNOWN = new Resolution(null, null, false);

        public boolean managed() {
            return app != null;
        }

        public Optional<AppRef> appRef() {
            return Optional.ofNullable(app);
        }
    }

    private record Cached(Resolution resolution, Instant expires) {
    }

    private static final Map<String, Class<? extends KubernetesObject>> TYPES = Map.ofEntries(
            Map.entry("Pod", V1Pod.class),
            Map.entry("ReplicaSet", V1ReplicaSet.class),
            Map.entry("Deployment", V1Deployment.class),
            Map.entry("StatefulSet", V1StatefulSet.class),
            Map.entry("DaemonSet", V1DaemonSet.class),
            Map.entry("Job", V1Job.class),
            Map.entry("CronJob", V1CronJob.class),
            Map.entry("ConfigMap", V1ConfigMap.class),
            Map.entry("Secret", V1Secret.class),
            Map.entry("Service", V1Service.class),
            Map.entry("PersistentVolumeClaim", V1PersistentVolumeClaim.class),
            Map.entry("HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class));

    private static final Map<String, String> GROUPS = Map.ofEntries(
            Map.entry("Pod", ""), Map.entry("ConfigMap", ""), Map.entry("Secret", ""), Map.entry("Service", ""),
            Map.entry("PersistentVolumeClaim", ""), Map.entry("ReplicaSet", "apps"), Map.entry("Deployment", "apps"),
            Map.entry("StatefulSet", "apps"), Map.entry("DaemonSet", "apps"), Map.entry("Job", "batch"),
            Map.entry("CronJob", "batch"), Map.entry("HorizontalPodAutoscaler", "autoscaling"));

    private final ArgoCdConfig config;
    private final Clock clock;
    private final AppDirectory directory;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    public AppResolver(ArgoCdConfig config, Clock clock, AppDirectory directory) {
        this.config = config;
        this.clock = clock;
        this.directory = directory == null ? AppDirectory.UNKNOWN : directory;
    }

    /** The Java model class the cluster view keeps for {@code kind}, if this module knows it. */
    public static Optional<Class<? extends KubernetesObject>> typeOf(String kind) {
        return Optional.ofNullable(TYPES.get(kind));
    }

    /** The API group of a built-in kind ({@code ""} for core and for kinds this module does not know). */
    public static String groupOf(String kind) {
        return GROUPS.getOrDefault(kind, "");
    }

    /** Which application manages {@code ref} (through its owners when it carries no mark itself). */
    public Resolution resolve(ResourceRef ref, ClusterView cluster) {
        if (AppRef.KIND.equals(ref.kind())) {
            return new Resolution(new AppRef(ref.name(), ref.namespace()), ref, true);
        }
        Instant now = clock.instant();
        Cached c = cache.get(ref.key());
        if (c != null && now.isBefore(c.expires())) return c.resolution();
        Resolution r = walk(ref, cluster, 0);
        if (r.known()) {
            if (cache.size() >= MAX_ENTRIES) {
                cache.values().removeIf(e -> !now.isBefore(e.expires()));
                if (cache.size() >= MAX_ENTRIES) cache.clear();
            }
            cache.put(ref.key(), new Cached(r, now.plus(config.cacheTtl())));
        }
        return r;
    }

    /** The application marked on {@code object} itself (no owner walk, no cache). */
    public Optional<AppRef> fromObject(String kind, KubernetesObject object) {
        V1ObjectMeta meta = object.getMetadata();
        if (meta == null) return Optional.empty();
        return mark(kind, meta);
    }

    /** Forgets every cached answer (e.g. after the application list changed). */
    public void invalidate() {
        cache.clear();
    }

    private Resolution walk(ResourceRef ref, ClusterView cluster, int depth) {
        Class<? extends KubernetesObject> type = TYPES.get(ref.kind());
        if (type == null || depth > MAX_DEPTH) return Resolution.UNKNOWN;
        Optional<? extends KubernetesObject> obj;
        try {
            if (!cluster.available(type)) return Resolution.UNKNOWN;
            obj = cluster.get(type, ref.namespace(), ref.name());
        } catch (RuntimeException e) {
            return Resolution.UNKNOWN;
        }
        if (obj.isEmpty() || obj.get().getMetadata() == null) return Resolution.UNKNOWN;
        V1ObjectMeta meta = obj.get().getMetadata();
        Optional<AppRef> app = mark(ref.kind(), meta);
        if (app.isPresent()) return new Resolution(app.get(), ref, true);
        V1OwnerReference owner = controller(meta.getOwnerReferences());
        if (owner == null || owner.getKind() == null || owner.getName() == null) return Resolution.UNMANAGED;
        return walk(ResourceRef.of(owner.getKind(), ref.namespace(), owner.getName()), cluster, depth + 1);
    }

    private Optional<AppRef> mark(String kind, V1ObjectMeta meta) {
        if (config.trackingMethod().usesAnnotation() && meta.getAnnotations() != null) {
            String id = meta.getAnnotations().get(ArgoCdConfig.TRACKING_ID_ANNOTATION);
            Optional<AppRef> fromId = parseTrackingId(id, kind, meta.getNamespace(), meta.getName());
            if (fromId.isPresent()) return fromId;
        }
        if (config.trackingMethod().usesLabel() && meta.getLabels() != null) {
            String value = meta.getLabels().get(config.trackingLabel());
            if (value != null && !value.isBlank()) {
                AppRef app = new AppRef(value.trim(), config.appNamespace());
                // Helm sets the same label: trust it only when Argo CD knows the app (or while we can't tell).
                if (directory.exists(app).orElse(true)) return Optional.of(app);
            }
        }
        return Optional.empty();
    }

    /**
     * Parses {@code <app>:<group>/<kind>:<namespace>/<name>}. The id must name this very object: Argo CD
     * itself ignores an id copied onto another object, and so do we.
     */
    static Optional<AppRef> parseTrackingId(String id, String kind, String namespace, String name) {
        if (id == null || id.isBlank()) return Optional.empty();
        String[] parts = id.trim().split(":", 3);
        if (parts.length != 3 || parts[0].isBlank()) return Optional.empty();
        String[] gk = parts[1].split("/", 2);
        String[] nn = parts[2].split("/", 2);
        if (gk.length != 2 || nn.length != 2) return Optional.empty();
        if (kind != null && !gk[1].equals(kind)) return Optional.empty();
        String expectedGroup = kind == null ? null : GROUPS.get(kind);
        if (expectedGroup != null && !gk[0].equals(expectedGroup)) return Optional.empty();
        if (name != null && !nn[1].equals(name)) return Optional.empty();
        String ns = namespace == null ? "" : namespace;
        if (!nn[0].equals(ns)) return Optional.empty();
        String app = parts[0];
        int underscore = app.indexOf('_');
        if (underscore > 0 && underscore < app.length() - 1) {
            return Optional.of(new AppRef(app.substring(underscore + 1), app.substring(0, underscore)));
        }
        return Optional.of(new AppRef(app, null));
    }

    private static V1OwnerReference controller(List<V1OwnerReference> owners) {
        if (owners == null || owners.isEmpty()) return null;
        for (V1OwnerReference o : owners) {
            if (Boolean.TRUE.equals(o.getController())) return o;
        }
        return owners.get(0);
    }
}

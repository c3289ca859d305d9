package io.kubeincident.argocd;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.argocd.model.Application;
import io.kubeincident.argocd.model.OperationState;
import io.kubeincident.argocd.model.ResourceStatus;
import io.kubeincident.argocd.model.RevisionHistory;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1StatefulSet;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reports workloads whose Argo CD application has been Degraded, or whose last sync Failed, for longer
 * than {@link ArgoCdConfig#degradedThreshold()} (incident type {@code argocd-degraded}).
 *
 * <p>Design: the application state comes from polling the Argo CD API ({@link AppStatusCache}, at most
 * once per {@code argocd.refresh_interval}, in the background) rather than from watching Application
 * objects through the Kubernetes API, because the Detector SPI only sees the kinds the engine's informers
 * model (Applications are a CRD it does not know), because Argo CD may run in another cluster than the one
 * watched, and because the API server account may not be allowed to read {@code argoproj.io}. It is
 * called for the workloads (Deployment, StatefulSet, DaemonSet) the application manages; the finding's
 * resource is the Application itself, so that every workload of one degraded app folds into one incident
 * whose root (and blast radius) is the app, and {@code argocd-rollback} / {@code argocd-sync} may target it.
 * Its facts name the workload ({@code workload}, {@code resourceHealth}) it explains, and carry the app's
 * deploy history as rollout facts ({@code currentRevision}, {@code previousRevision},
 * {@code minutesSinceRollout}, {@code rolloutRecent}, {@code previousRevisionHealthy} when this process saw
 * the previous revision Healthy) for analyzers. The engine's periodic sweep re-evaluates it.
 */
public final class ArgoDegradedDetector implements Detector {
    public static final String ID = "argocd-degraded";
    /** A deploy at most this old counts as "recent", as the engine does for Deployment rollouts. */
    static final Duration RECENT_DEPLOY = Duration.ofMinutes(30);
    private static final int MAX_TEXT = 300;

    private final ArgoCd argo;

    public ArgoDegradedDetector(ArgoCd argo) {
        this.argo = argo;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> kinds() {
        return Set.of("Deployment", "StatefulSet", "DaemonSet");
    }

    @Override
    public Set<String> incidentTypes() {
        return Set.of(IncidentTypes.ARGOCD_DEGRADED);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        String kind = kindOf(object);
        if (kind == null || object.getMetadata() == null || object.getMetadata().getName() == null) {
            return Detector.none();
        }
        Optional<AppRef> appRef = argo.resolver().fromObject(kind, object);
        if (appRef.isEmpty()) return Detector.none();
        AppStatusCache.Snapshot snapshot = argo.apps().snapshot();
        Optional<Application> found = snapshot.find(appRef.get());
        if (found.isEmpty()) return Detector.none();
        Application app = found.get();
        ResourceRef ref = new ResourceRef(kind, object.getMetadata().getNamespace(), object.getMetadata().getName(),
                object.getMetadata().getUid());
        Instant now = context.now();
        Duration threshold = argo.config().degradedThreshold();
        String appNamespace = app.metadata().namespace() != null ? app.metadata().namespace() : appRef.get().namespace();
        ResourceRef appResource = ResourceRef.of(AppRef.KIND, appNamespace, app.name());

        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("argocdApp", app.name());
        if (appNamespace != null) facts.put("argocdNamespace", appNamespace);
        facts.put("argocdHealth", app.health());
        facts.put("argocdSyncStatus", app.syncStatus());
        if (app.syncedRevision() != null) facts.put("argocdRevision", app.syncedRevision());
        facts.put("workload", ref.key());
        rolloutFacts(app, appRef.get(), now, facts);

        if ("Degraded".equals(app.health())) {
            Instant since = parse(app.status().health() == null ? null : app.status().health().lastTransitionTime())
                    .or(() -> argo.apps().degradedSince(app)).orElse(null);
            if (since != null && !now.isBefore(since.plus(threshold)) && concerns(app, ref, true)) {
                String why = app.status().health() == null ? null : app.status().health().message();
                facts.put("since", since.toString());
                if (why != null) facts.put("argocdHealthMessage", abbreviate(why));
                String resourceHealth = resourceHealth(app, ref);
                if (resourceHealth != null) facts.put("resourceHealth", resourceHealth);
                return List.of(new Finding(ID, IncidentTypes.ARGOCD_DEGRADED, Severity.HIGH, appResource,
                        "Argo CD application '" + app.name() + "' has been Degraded since " + since
                                + (why == null ? "" : " (" + abbreviate(why) + ")") + "; it manages " + ref,
                        facts, since));
            }
        }
        OperationState op = app.status().operationState();
        if (op != null && ("Failed".equals(op.phase()) || "Error".equals(op.phase()))) {
            Instant since = parse(op.finishedAt()).or(() -> parse(op.startedAt())).orElse(null);
            if (since != null && !now.isBefore(since.plus(threshold)) && concerns(app, ref, false)) {
                facts.put("since", since.toString());
                facts.put("argocdOperationPhase", op.phase());
                if (op.message() != null) facts.put("argocdOperationMessage", abbreviate(op.message()));
                if (op.revision() != null) facts.put("argocdOperationRevision", op.revision());
                return List.of(new Finding(ID, IncidentTypes.ARGOCD_DEGRADED, Severity.MEDIUM, appResource,
                        "Argo CD sync of application '" + app.name() + "' " + op.phase().toLowerCase() + " at " + since
                                + (op.message() == null ? "" : ": " + abbreviate(op.message())) + "; it manages " + ref,
                        facts, since));
            }
        }
        return Detector.none();
    }

    /**
     * The app's last deploy as rollout facts: the newest history entry is the current revision, the newest
     * earlier one with another revision the previous; "healthy" only from this process's own observation.
     */
    private void rolloutFacts(Application app, AppRef ref, Instant now, Map<String, String> facts) {
        List<RevisionHistory> history = app.status().history();
        if (history.isEmpty()) return;
        RevisionHistory current = history.get(history.size() - 1);
        RevisionHistory previous = null;
        for (int i = history.size() - 2; i >= 0 && previous == null; i--) {
            String rev = history.get(i).effectiveRevision();
            if (rev != null && !rev.equals(current.effectiveRevision())) previous = history.get(i);
        }
        if (current.effectiveRevision() != null) facts.put("currentRevision", current.effectiveRevision());
        facts.put("deployedBy", current.initiator());
        if (previous != null) {
            facts.put("previousRevision", previous.effectiveRevision());
            if (argo.apps().healthyRevisions(ref).contains(previous.effectiveRevision())) {
                facts.put("previousRevisionHealthy", "true");
            }
        }
        Optional<Instant> deployedAt = parse(current.deployedAt());
        if (deployedAt.isPresent()) {
            Duration since = Duration.between(deployedAt.get(), now);
            facts.put("minutesSinceRollout", Long.toString(Math.max(0, since.toMinutes())));
            facts.put("rolloutRecent", Boolean.toString(previous != null && since.compareTo(RECENT_DEPLOY) <= 0));
        }
    }

    /**
     * Whether the application's trouble concerns this workload: when the app lists its resources, the
     * workload must be among the unhealthy (or, for a failed sync, out-of-sync or unhealthy) ones; an app that
     * lists none concerns all its workloads.
     */
    private static boolean concerns(Application app, ResourceRef ref, boolean degraded) {
        List<ResourceStatus> resources = app.status().resources();
        if (resources.isEmpty()) return true;
        for (ResourceStatus r : resources) {
            if (ref.kind().equals(r.kind()) && ref.name().equals(r.name())
                    && (r.namespace() == null || r.namespace().equals(ref.namespace()))) {
                String h = r.healthStatus();
                boolean unhealthy = h != null && !"Healthy".equals(h);
                return degraded ? unhealthy : unhealthy || !"Synced".equals(r.status());
            }
        }
        return false;
    }

    private static String resourceHealth(Application app, ResourceRef ref) {
        for (ResourceStatus r : app.status().resources()) {
            if (ref.kind().equals(r.kind()) && ref.name().equals(r.name()) && r.health() != null) {
                String m = r.health().message();
                return r.healthStatus() + (m == null ? "" : ": " + abbreviate(m));
            }
        }
        return null;
    }

    static String kindOf(KubernetesObject object) {
        if (object instanceof V1Deployment) return "Deployment";
        if (object instanceof V1StatefulSet) return "StatefulSet";
        if (object instanceof V1DaemonSet) return "DaemonSet";
        String k = object.getKind();
        return k == null || k.isBlank() ? null : k;
    }

    static Optional<Instant> parse(String rfc3339) {
        if (rfc3339 == null || rfc3339.isBlank()) return Optional.empty();
        try {
            return Optional.of(Instant.parse(rfc3339));
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(java.time.OffsetDateTime.parse(rfc3339).toInstant());
            } catch (DateTimeParseException e2) {
                return Optional.empty();
            }
        }
    }

    static String abbreviate(String s) {
        if (s == null) return null;
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= MAX_TEXT ? one : one.substring(0, MAX_TEXT) + "...";
    }
}

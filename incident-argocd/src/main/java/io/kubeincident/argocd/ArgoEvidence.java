package io.kubeincident.argocd;

import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.argocd.client.ArgoResult;
import io.kubeincident.argocd.model.Application;
import io.kubeincident.argocd.model.OperationState;
import io.kubeincident.argocd.model.RevisionHistory;
import io.kubeincident.spi.ClusterView;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Evidence facts about the Argo CD application behind an incident, for analyzers: which application, its
 * sync and health status, and its last deployments (revision, deployedAt, initiatedBy), so that "the
 * incident began 3 minutes after revision abc123 was deployed" is a fact they see.
 *
 * <p>Facts (absent when unknown): {@code argocdApp}, {@code argocdNamespace}, {@code argocdProject},
 * {@code argocdSyncStatus}, {@code argocdHealth}, {@code argocdHealthMessage}, {@code argocdRevision},
 * {@code argocdTargetRevision}, {@code argocdAutoSync}, {@code argocdSelfHeal}, {@code argocdOperationPhase},
 * {@code argocdOperationMessage}, {@code argocdHistory} (newest first), {@code argocdLastRevision},
 * {@code argocdLastDeployedAt}, {@code argocdLastInitiatedBy}, {@code argocdMinutesSinceDeploy},
 * {@code argocdDeployedBeforeIncident}, {@code argocdDeployedSinceIncident}, {@code argocdManagedVia}, {@code argocdError}.
 *
 * <p>It reads the application fresh from the API (history changes right at deploy time) and falls back on
 * the cached listing. Thread-safe; bounded by the client's timeouts.
 */
public final class ArgoEvidence {
    public static final int HISTORY_ENTRIES = 3;
    private static final int MAX_RESOURCES = 10;

    private final ArgoCd argo;

    public ArgoEvidence(ArgoCd argo) {
        this.argo = argo;
    }

    /** Facts for {@code incident}; empty when none of its resources is managed by Argo CD. */
    public Map<String, String> facts(Incident incident, ClusterView cluster) {
        List<ResourceRef> candidates = new ArrayList<>();
        candidates.add(incident.rootResource());
        for (ResourceRef r : incident.resources()) {
            if (candidates.size() >= MAX_RESOURCES) break;
            if (!r.sameTarget(incident.rootResource())) candidates.add(r);
        }
        for (ResourceRef r : candidates) {
            AppResolver.Resolution res = argo.resolver().resolve(r, cluster);
            if (res.managed()) return facts(res.app(), res.via(), incidentStart(incident));
        }
        return Map.of();
    }

    /** Facts for the application managing {@code resource}; empty when it is not managed. */
    public Map<String, String> facts(ResourceRef resource, ClusterView cluster, Instant incidentStart) {
        AppResolver.Resolution res = argo.resolver().resolve(resource, cluster);
        return res.managed() ? facts(res.app(), res.via(), incidentStart) : Map.of();
    }

    /** Facts for {@code app}; {@code incidentStart} may be null. */
    public Map<String, String> facts(AppRef app, ResourceRef via, Instant incidentStart) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("argocdApp", app.name());
        if (via != null) f.put("argocdManagedVia", via.key());
        ArgoResult<Application> fresh = argo.client().getApplication(app);
        Application a;
        if (fresh.isOk()) {
            a = fresh.value();
            argo.apps().observe(a);
        } else {
            Optional<Application> cached = argo.apps().current().find(app);
            f.put("argocdError", "reading the application failed: " + fresh.error().describe()
                    + (cached.isPresent() ? "; facts from the listing of " + argo.apps().current().fetchedAt() : ""));
            if (cached.isEmpty()) return f;
            a = cached.get();
        }
        if (a.metadata().namespace() != null) f.put("argocdNamespace", a.metadata().namespace());
        if (a.spec().project() != null) f.put("argocdProject", a.spec().project());
        f.put("argocdSyncStatus", a.syncStatus());
        f.put("argocdHealth", a.health());
        if (a.status().health() != null && a.status().health().message() != null) {
            f.put("argocdHealthMessage", ArgoDegradedDetector.abbreviate(a.status().health().message()));
        }
        if (a.syncedRevision() != null) f.put("argocdRevision", a.syncedRevision());
        if (a.spec().source() != null && a.spec().source().targetRevision() != null) {
            f.put("argocdTargetRevision", a.spec().source().targetRevision());
        }
        f.put("argocdAutoSync", Boolean.toString(a.autoSyncEnabled()));
        f.put("argocdSelfHeal", Boolean.toString(a.selfHeal()));
        OperationState op = a.status().operationState();
        if (op != null && op.phase() != null) {
            f.put("argocdOperationPhase", op.phase());
            if (op.message() != null) f.put("argocdOperationMessage", ArgoDegradedDetector.abbreviate(op.message()));
        }

        List<RevisionHistory> history = a.status().history();
        if (!history.isEmpty()) {
            List<String> entries = new ArrayList<>();
            for (int i = history.size() - 1; i >= 0 && entries.size() < HISTORY_ENTRIES; i--) {
                RevisionHistory h = history.get(i);
                entries.add("id=" + h.id() + " revision=" + h.effectiveRevision() + " deployedAt=" + h.deployedAt()
                        + " initiatedBy=" + h.initiator());
            }
            f.put("argocdHistory", String.join("; ", entries));
            RevisionHistory last = history.get(history.size() - 1);
            if (last.effectiveRevision() != null) f.put("argocdLastRevision", last.effectiveRevision());
            if (last.deployedAt() != null) f.put("argocdLastDeployedAt", last.deployedAt());
            f.put("argocdLastInitiatedBy", last.initiator());
            Optional<Instant> deployedAt = ArgoDegradedDetector.parse(last.deployedAt());
            if (deployedAt.isPresent()) {
                Instant now = argo.clock().instant();
                f.put("argocdMinutesSinceDeploy", Long.toString(Math.max(0, Duration.between(deployedAt.get(), now).toMinutes())));
            }
            if (incidentStart != null) deployAroundIncident(history, incidentStart, f);
        }
        return f;
    }

    /**
     * Relates the incident to the deploy it followed (the newest one at or before its start), and names a
     * deploy made since (a rollback, say) when there is one.
     */
    private static void deployAroundIncident(List<RevisionHistory> history, Instant start, Map<String, String> f) {
        RevisionHistory before = null;
        RevisionHistory after = null;
        Instant beforeAt = null;
        Instant afterAt = null;
        for (int i = history.size() - 1; i >= 0; i--) {
            RevisionHistory h = history.get(i);
            Optional<Instant> at = ArgoDegradedDetector.parse(h.deployedAt());
            if (at.isEmpty()) continue;
            if (at.get().isAfter(start)) {
                after = h;
                afterAt = at.get();
            } else {
                before = h;
                beforeAt = at.get();
                break;
            }
        }
        if (before != null) {
            long minutes = Duration.between(beforeAt, start).toMinutes();
            f.put("argocdDeployedBeforeIncident", "the incident began " + minutes + " minute" + (minutes == 1 ? "" : "s")
                    + " after revision " + shortRev(before.effectiveRevision()) + " was deployed by " + before.initiator());
        }
        if (after != null) {
            long minutes = Duration.between(start, afterAt).toMinutes();
            f.put("argocdDeployedSinceIncident", "revision " + shortRev(after.effectiveRevision()) + " was deployed by "
                    + after.initiator() + " " + minutes + " minute" + (minutes == 1 ? "" : "s") + " after the incident began");
        }
    }

    /** When the incident's condition began: its earliest finding, else when it was opened. */
    static Instant incidentStart(Incident incident) {
        Instant start = incident.openedAt();
        for (Finding f : incident.findings()) {
            if (f.observedAt().isBefore(start)) start = f.observedAt();
        }
        return start;
    }

    private static String shortRev(String revision) {
        if (revision == null) return "unknown";
        return revision.length() > 12 && revision.matches("[0-9a-f]+") ? revision.substring(0, 12) : revision;
    }
}

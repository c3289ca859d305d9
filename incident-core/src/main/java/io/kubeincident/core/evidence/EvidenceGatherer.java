package io.kubeincident.core.evidence;

import io.kubeincident.api.EventSummary;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Incident;
import io.kubeincident.api.LogExcerpt;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.RolloutRevision;
import io.kubeincident.core.correlate.OwnerChains;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1ReplicaSet;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gathers what analyzers need about an incident from the cluster view (events, owner chain, rollout
 * history) and the API (log tails), redacted. Secret objects are never read.
 */
public final class EvidenceGatherer {
    private static final int MAX_LOG_LINES = 50;
    private static final int MAX_LOG_BYTES = 16 * 1024;
    private static final int MAX_PODS_FOR_LOGS = 2;
    private static final Duration RECENT_ROLLOUT = Duration.ofMinutes(30);

    private final ApiClient client;
    private final Clock clock;

    /** @param client for log reads; {@code null} gathers without logs */
    public EvidenceGatherer(ApiClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public Evidence gather(Incident incident, ClusterView view) {
        Map<String, String> facts = new LinkedHashMap<>();
        List<ResourceRef> chain = incident.findings().isEmpty() ? List.of(incident.rootResource())
                : OwnerChains.chain(incident.findings().get(0).resource(), view);
        List<EventSummary> events = events(incident, view);
        List<RolloutRevision> history = rolloutHistory(incident.rootResource(), view, facts);
        List<LogExcerpt> logs = logs(incident);
        return new Evidence(events, logs, chain, history, facts, List.of());
    }

    private List<EventSummary> events(Incident incident, ClusterView view) {
        Map<String, EventSummary> folded = new LinkedHashMap<>();
        for (ResourceRef ref : incident.resources()) {
            for (CoreV1Event e : view.eventsFor(ref)) {
                String key = e.getType() + "|" + e.getReason() + "|" + e.getMessage();
                int count = e.getCount() == null ? 1 : e.getCount();
                Instant first = e.getFirstTimestamp() == null ? null : e.getFirstTimestamp().toInstant();
                Instant last = e.getLastTimestamp() == null ? null : e.getLastTimestamp().toInstant();
                EventSummary prev = folded.get(key);
                if (prev != null) count += prev.count();
                folded.put(key, new EventSummary(e.getType(), e.getReason(), Redactor.redact(e.getMessage()), count,
                        first, last, ref));
            }
        }
        List<EventSummary> out = new ArrayList<>(folded.values());
        out.sort(Comparator.comparing((EventSummary s) -> !"Warning".equals(s.type())));
        return out;
    }

    private List<RolloutRevision> rolloutHistory(ResourceRef root, ClusterView view, Map<String, String> facts) {
        if (!"Deployment".equals(root.kind())) return List.of();
        V1Deployment d = view.get(V1Deployment.class, root.namespace(), root.name()).orElse(null);
        if (d == null || d.getMetadata().getUid() == null) return List.of();
        String current = d.getMetadata().getAnnotations() == null ? null
                : d.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision");
        List<RolloutRevision> revs = new ArrayList<>();
        for (V1ReplicaSet rs : view.ownedBy(V1ReplicaSet.class, d.getMetadata().getUid())) {
            String r = rs.getMetadata().getAnnotations() == null ? null
                    : rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision");
            if (r == null) continue;
            List<String> images = rs.getSpec() == null || rs.getSpec().getTemplate().getSpec() == null ? List.of()
                    : rs.getSpec().getTemplate().getSpec().getContainers().stream().map(V1Container::getImage).toList();
            Instant created = rs.getMetadata().getCreationTimestamp() == null ? null
                    : rs.getMetadata().getCreationTimestamp().toInstant();
            int ready = rs.getStatus() == null || rs.getStatus().getReadyReplicas() == null ? 0
                    : rs.getStatus().getReadyReplicas();
            revs.add(new RolloutRevision(Long.parseLong(r), Refs.of(rs), images, created, ready, r.equals(current)));
        }
        revs.sort(Comparator.comparingLong(RolloutRevision::revision).reversed());
        if (!revs.isEmpty()) {
            RolloutRevision cur = revs.get(0);
            facts.put("currentRevision", String.valueOf(cur.revision()));
            if (!cur.images().isEmpty()) facts.put("currentImage", String.join(",", cur.images()));
            if (cur.createdAt() != null) {
                Duration since = Duration.between(cur.createdAt(), clock.instant());
                facts.put("minutesSinceRollout", String.valueOf(Math.max(0, since.toMinutes())));
                facts.put("rolloutRecent", String.valueOf(since.compareTo(RECENT_ROLLOUT) <= 0 && revs.size() > 1));
            }
            if (revs.size() > 1) {
                RolloutRevision prev = revs.get(1);
                facts.put("previousRevision", String.valueOf(prev.revision()));
                if (!prev.images().isEmpty()) facts.put("previousImage", String.join(",", prev.images()));
            }
        }
        return revs;
    }

    private List<LogExcerpt> logs(Incident incident) {
        if (client == null) return List.of();
        CoreV1Api core = new CoreV1Api(client);
        List<LogExcerpt> out = new ArrayList<>();
        int pods = 0;
        for (var f : incident.findings()) {
            if (!"Pod".equals(f.resource().kind()) || pods >= MAX_PODS_FOR_LOGS) continue;
            pods++;
            String container = f.fact("container");
            for (boolean previous : new boolean[]{true, false}) {
                try {
                    var req = core.readNamespacedPodLog(f.resource().name(), f.resource().namespace())
                            .tailLines(MAX_LOG_LINES).limitBytes(MAX_LOG_BYTES).previous(previous);
                    if (container != null) req = req.container(container);
                    String text = req.execute();
                    if (text == null || text.isBlank()) continue;
                    List<String> lines = Redactor.redactAll(List.of(text.split("\n")));
                    out.add(new LogExcerpt(f.resource(), container, previous, lines,
                            text.length() >= MAX_LOG_BYTES));
                } catch (ApiException e) {
                    // No log (container never started, previous instance gone): evidence without it.
                }
            }
        }
        return out;
    }
}

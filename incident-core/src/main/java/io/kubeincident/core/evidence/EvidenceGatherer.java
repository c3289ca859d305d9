package io.kubeincident.core.evidence;

import io.kubeincident.api.Redactor;
import io.kubeincident.api.EventSummary;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
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
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvFromSource;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1ManagedFieldsEntry;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeProjection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Gathers what analyzers need about an incident, all of it redacted and bounded:
 * <ul>
 *   <li>related events (Warning first), deduplicated across the incident's objects with summed counts;</li>
 *   <li>log tails of the current and the previous container of the worst pods (lines and bytes bounded);</li>
 *   <li>the owner chain and the rollout history of a Deployment (ReplicaSet revisions, images, times) with
 *       the facts {@code rolloutRecent}, {@code minutesSinceRollout}, {@code currentImage},
 *       {@code previousImage}, {@code previousRevisionHealthy} (stated only when known);</li>
 *   <li>referenced ConfigMaps that changed after the last good revision ({@code changedConfigMaps}), from their
 *       metadata only (their values are never read);</li>
 *   <li>the conditions of the nodes involved ({@code node.<name>.<Type>}).</li>
 * </ul>
 * Reads the cluster view, plus the API for logs and ConfigMaps. Secret objects are never read: a Secret
 * reference is reported by name only. Failures to read degrade the evidence, never throw; a read the API server
 * refuses (403) is named in the fact {@value #UNREADABLE}.
 */
public final class EvidenceGatherer {
    private static final Logger LOG = LoggerFactory.getLogger(EvidenceGatherer.class);
    static final String REVISION = "deployment.kubernetes.io/revision";
    /**
     * Fact: the reads of this incident's evidence the API server refused (403), comma-separated
     * {@code verb resource namespace/name}, such as {@code get configmaps shop/app-config}.
     */
    public static final String UNREADABLE = "evidence.unreadable";
    private static final int MAX_EVENT_OBJECTS = 25;
    private static final int MAX_NODES = 5;

    private final ApiClient client;
    private final Clock clock;
    private final EvidenceConfig config;
    private final Redactor redactor;

    /** @param client for log and ConfigMap reads; {@code null} gathers from the view only */
    public EvidenceGatherer(ApiClient client, Clock clock) {
        this(client, clock, EvidenceConfig.defaults());
    }

    public EvidenceGatherer(ApiClient client, Clock clock, EvidenceConfig config) {
        this.client = client;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.config = Objects.requireNonNull(config, "config");
        this.redactor = config.extraRedactions().isEmpty() ? Redactor.standard()
                : Redactor.withExtraPatterns(config.extraRedactions());
    }

    /** The evidence and, redacted, what could not be gathered and why (also in the fact {@code missingEvidence}). */
    public record Gathered(Evidence evidence, List<String> missing) {
        public Gathered {
            Objects.requireNonNull(evidence, "evidence");
            missing = List.copyOf(missing);
        }
    }

    /**
     * Gathers each part on its own: a part that fails (an API error, a response that cannot be parsed, a bug)
     * is left out and named in {@link Gathered#missing()}; the other parts are still gathered. Never throws.
     */
    public Gathered gather(Incident incident, ClusterView view) {
        Map<String, String> facts = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        List<ResourceRef> chain = part("owner chain", missing, () -> ownerChain(incident, view),
                List.of(incident.rootResource()));
        List<EventSummary> events = part("events", missing, () -> events(incident, chain, view), List.of());
        List<RolloutRevision> history = part("rollout history", missing, () -> rolloutHistory(incident, view, facts),
                List.of());
        part("referenced ConfigMaps", missing, () -> configMaps(incident, view, history, facts, missing), null);
        part("node conditions", missing, () -> nodes(incident, view, facts), null);
        facts.put("podCount", String.valueOf(incident.resources().stream().filter(r -> r.kind().equals("Pod")).count()));
        List<LogExcerpt> logs = part("logs", missing, () -> logs(incident, facts, missing), List.of());
        List<String> said = missing.stream().map(redactor::apply).toList();
        if (!said.isEmpty()) facts.put("missingEvidence", String.join("; ", said));
        return new Gathered(new Evidence(events, logs, chain, history, redactor.applyValues(facts), List.of()), said);
    }

    private static <T> T part(String name, List<String> missing, java.util.function.Supplier<T> gather, T otherwise) {
        try {
            return gather.get();
        } catch (RuntimeException e) {
            LOG.warn("evidence part {} failed: {}", name, e.toString());
            missing.add(name + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            return otherwise;
        }
    }

    private static <T> T part(String name, List<String> missing, Runnable gather, T otherwise) {
        return part(name, missing, () -> {
            gather.run();
            return otherwise;
        }, otherwise);
    }

    /** One unreadable API answer, in words: the HTTP status, or the kind of garbage it was. */
    private static String unreadable(Exception e) {
        if (e instanceof ApiException a) return a.getCode() == 0 ? "no answer (" + a.getMessage() + ")" : "HTTP " + a.getCode();
        return "unreadable response (" + e.getClass().getSimpleName() + ")";
    }

    // ------------------------------------------------------------------ owner chain

    private static List<ResourceRef> ownerChain(Incident incident, ClusterView view) {
        Finding first = incident.findings().stream().filter(f -> f.resource().kind().equals("Pod")).findFirst()
                .orElse(incident.findings().isEmpty() ? null : incident.findings().get(0));
        if (first == null) return List.of(incident.rootResource());
        List<ResourceRef> chain = OwnerChains.chain(first.resource(), view);
        ResourceRef last = chain.get(chain.size() - 1);
        if (!last.key().equals(incident.rootResource().key())) {
            List<ResourceRef> out = new ArrayList<>(chain);
            out.add(incident.rootResource()); // e.g. a pod folded into its node's incident
            return out;
        }
        return chain;
    }

    // ------------------------------------------------------------------ events

    private List<EventSummary> events(Incident incident, List<ResourceRef> chain, ClusterView view) {
        Set<String> seenObjects = new LinkedHashSet<>();
        List<ResourceRef> objects = new ArrayList<>();
        for (ResourceRef r : concat(List.of(incident.rootResource()), chain, incident.resources())) {
            if (objects.size() >= MAX_EVENT_OBJECTS) break;
            if (seenObjects.add(r.key())) objects.add(r);
        }
        Map<String, Folded> folded = new LinkedHashMap<>();
        for (ResourceRef ref : objects) {
            for (CoreV1Event e : view.eventsFor(ref)) {
                String message = e.getMessage() == null ? "" : e.getMessage();
                // The same event on 30 pods of a storm differs only by the pod's name: fold them.
                String normalized = message.replace(ref.name(), "<name>");
                if (ref.uid() != null) normalized = normalized.replace(ref.uid(), "<uid>");
                String key = e.getType() + "|" + e.getReason() + "|" + normalized;
                Folded f = folded.computeIfAbsent(key, k -> new Folded(e.getType(), e.getReason(), message, ref));
                f.count += count(e);
                f.first = min(f.first, first(e));
                f.last = max(f.last, last(e));
            }
        }
        List<Folded> list = new ArrayList<>(folded.values());
        list.sort(Comparator.comparing((Folded f) -> !"Warning".equals(f.type))
                .thenComparing(f -> f.last, Comparator.nullsLast(Comparator.reverseOrder())));
        List<EventSummary> out = new ArrayList<>();
        for (Folded f : list) {
            if (out.size() >= config.maxEvents()) break;
            out.add(new EventSummary(f.type, f.reason, redactor.apply(f.message), f.count, f.first, f.last, f.involved));
        }
        return out;
    }

    private static final class Folded {
        final String type;
        final String reason;
        final String message;
        final ResourceRef involved;
        int count;
        Instant first;
        Instant last;

        Folded(String type, String reason, String message, ResourceRef involved) {
            this.type = type;
            this.reason = reason;
            this.message = message;
            this.involved = involved;
        }
    }

    private static int count(CoreV1Event e) {
        if (e.getSeries() != null && e.getSeries().getCount() != null) return e.getSeries().getCount();
        return e.getCount() == null ? 1 : Math.max(1, e.getCount());
    }

    private static Instant first(CoreV1Event e) {
        if (e.getFirstTimestamp() != null) return e.getFirstTimestamp().toInstant();
        if (e.getEventTime() != null) return e.getEventTime().toInstant();
        return Refs.created(e);
    }

    private static Instant last(CoreV1Event e) {
        if (e.getSeries() != null && e.getSeries().getLastObservedTime() != null) return e.getSeries().getLastObservedTime().toInstant();
        if (e.getLastTimestamp() != null) return e.getLastTimestamp().toInstant();
        return first(e);
    }

    // ------------------------------------------------------------------ rollout history

    private List<RolloutRevision> rolloutHistory(Incident incident, ClusterView view, Map<String, String> facts) {
        ResourceRef root = incident.rootResource();
        if (!"Deployment".equals(root.kind())) return List.of();
        V1Deployment d = view.get(V1Deployment.class, root.namespace(), root.name()).orElse(null);
        if (d == null || d.getMetadata().getUid() == null) return List.of();
        String currentRev = annotation(d, REVISION);
        List<RolloutRevision> revs = new ArrayList<>();
        Map<Long, V1ReplicaSet> byRevision = new LinkedHashMap<>();
        for (V1ReplicaSet rs : view.ownedBy(V1ReplicaSet.class, d.getMetadata().getUid())) {
            Long r = parseLong(annotation(rs, REVISION));
            if (r == null) continue;
            byRevision.put(r, rs);
            int ready = rs.getStatus() == null || rs.getStatus().getReadyReplicas() == null ? 0 : rs.getStatus().getReadyReplicas();
            revs.add(new RolloutRevision(r, Refs.of(rs), images(templateSpec(rs)), Refs.created(rs), ready,
                    String.valueOf(r).equals(currentRev)));
        }
        revs.sort(Comparator.comparingLong(RolloutRevision::revision).reversed());
        if (revs.isEmpty()) return revs;
        RolloutRevision current = revs.stream().filter(RolloutRevision::current).findFirst().orElse(revs.get(0));
        RolloutRevision previous = null;
        for (RolloutRevision r : revs) {
            if (r.revision() < current.revision()) {
                previous = r;
                break;
            }
        }
        facts.put("currentRevision", String.valueOf(current.revision()));
        if (!current.images().isEmpty()) facts.put("currentImage", String.join(",", current.images()));
        Instant opened = incident.openedAt();
        if (current.createdAt() != null) {
            long minutes = Math.max(0, Duration.between(current.createdAt(), opened).toMinutes());
            facts.put("minutesSinceRollout", String.valueOf(minutes));
            boolean recent = previous != null && !current.createdAt().plus(config.recentRolloutWindow()).isBefore(opened);
            facts.put("rolloutRecent", String.valueOf(recent));
        }
        if (previous != null) {
            facts.put("previousRevision", String.valueOf(previous.revision()));
            if (!previous.images().isEmpty()) facts.put("previousImage", String.join(",", previous.images()));
            V1ReplicaSet prs = byRevision.get(previous.revision());
            int prevPods = prs == null || prs.getStatus() == null || prs.getStatus().getReplicas() == null ? 0
                    : prs.getStatus().getReplicas();
            // Stated only when the cluster shows it: ready pods still serving, or pods that are all failing.
            if (previous.readyReplicas() > 0) facts.put("previousRevisionHealthy", "true");
            else if (prevPods > 0) facts.put("previousRevisionHealthy", "false");
        }
        return revs;
    }

    // ------------------------------------------------------------------ config maps

    private void configMaps(Incident incident, ClusterView view, List<RolloutRevision> history, Map<String, String> facts,
                            List<String> unread) {
        String ns = incident.rootResource().namespace();
        if (ns == null) return;
        V1PodSpec spec = workloadSpec(incident, view);
        if (spec == null) return;
        Set<String> cms = new TreeSet<>();
        Set<String> secrets = new TreeSet<>();
        references(spec, cms, secrets);
        if (!secrets.isEmpty()) facts.put("referencedSecrets", String.join(",", secrets)); // names only, never read
        if (cms.isEmpty()) return;
        facts.put("referencedConfigMaps", String.join(",", cms));
        if (client == null) return;
        Instant lastGood = lastGoodSince(incident, view, history);
        if (lastGood == null) return;
        List<String> changed = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Instant newest = null;
        int checked = 0;
        for (String name : cms) {
            if (checked++ >= config.maxConfigMaps()) break;
            try {
                Instant changedAt = lastChange(configMapMetadata(ns, name));
                if (changedAt != null && changedAt.isAfter(lastGood)) {
                    changed.add(name);
                    newest = max(newest, changedAt);
                }
            } catch (ApiException e) {
                if (e.getCode() == 404) missing.add(name);
                else {
                    if (e.getCode() == 403) unreadable(facts, "get configmaps " + ns + "/" + name);
                    unread.add("ConfigMap " + ns + "/" + name + ": " + unreadable(e));
                }
            } catch (RuntimeException e) {
                unread.add("ConfigMap " + ns + "/" + name + ": " + unreadable(e));
            }
        }
        if (!changed.isEmpty()) {
            facts.put("changedConfigMaps", String.join(",", changed));
            facts.put("minutesSinceConfigChange", String.valueOf(Math.max(0, Duration.between(newest, clock.instant()).toMinutes())));
        }
        if (!missing.isEmpty()) facts.put("missingConfigMaps", String.join(",", missing));
    }

    /**
     * Since when the workload's configuration was last known good: the current revision's rollout, or the
     * previous revision's when the current one is the recent change under suspicion; for other workloads
     * the start of their oldest incident pod.
     */
    private Instant lastGoodSince(Incident incident, ClusterView view, List<RolloutRevision> history) {
        if (!history.isEmpty()) {
            RolloutRevision current = history.stream().filter(RolloutRevision::current).findFirst().orElse(history.get(0));
            Optional<RolloutRevision> previous = history.stream().filter(r -> r.revision() < current.revision()).findFirst();
            boolean recent = current.createdAt() != null
                    && !current.createdAt().plus(config.recentRolloutWindow()).isBefore(incident.openedAt());
            if (recent && previous.isPresent() && previous.get().createdAt() != null) return previous.get().createdAt();
            return current.createdAt();
        }
        Instant oldest = null;
        for (ResourceRef r : incident.resources()) {
            if (!r.kind().equals("Pod")) continue;
            Optional<V1Pod> p = view.get(V1Pod.class, r.namespace(), r.name());
            if (p.isPresent()) oldest = min(oldest, Refs.created(p.get()));
        }
        return oldest;
    }

    /**
     * A ConfigMap's metadata only ({@code PartialObjectMetadata}): its change times without its values, which
     * never enter the process. Needs {@code get} on {@code configmaps}, as a full read would (RBAC does not tell
     * the two apart); the responder's derived RBAC grants exactly that.
     */
    private V1ObjectMeta configMapMetadata(String ns, String name) throws ApiException {
        String path = "/api/v1/namespaces/" + client.escapeString(ns) + "/configmaps/" + client.escapeString(name);
        // Mutable maps: the client's authentications add the bearer token to them.
        Map<String, String> headers = new java.util.HashMap<>(Map.of("Accept", "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"));
        okhttp3.Call call = client.buildCall(client.getBasePath(), path, "GET", new ArrayList<>(), new ArrayList<>(), null,
                headers, new java.util.HashMap<>(), new java.util.HashMap<>(), new String[]{"BearerToken"}, null);
        // PartialObjectMetadata has ConfigMap's apiVersion/kind/metadata fields and nothing else; only metadata is kept.
        V1ConfigMap answer = client.<V1ConfigMap>execute(call, V1ConfigMap.class).getData();
        return answer == null || answer.getMetadata() == null ? new V1ObjectMeta() : answer.getMetadata();
    }

    /** Records a read the API server refused (403): the evidence says what it could not see. */
    private static void unreadable(Map<String, String> facts, String what) {
        facts.merge(UNREADABLE, what, (a, b) -> a + "," + b);
    }

    private static Instant lastChange(V1ObjectMeta md) {
        Instant t = md.getCreationTimestamp() == null ? null : md.getCreationTimestamp().toInstant();
        if (md.getManagedFields() != null) {
            // ConfigMaps have no modification time; the field managers' write times are the only record.
            for (V1ManagedFieldsEntry m : md.getManagedFields()) {
                if (m.getTime() != null) t = max(t, m.getTime().toInstant());
            }
        }
        return t;
    }

    private static V1PodSpec workloadSpec(Incident incident, ClusterView view) {
        ResourceRef root = incident.rootResource();
        String ns = root.namespace();
        switch (root.kind()) {
            case "Deployment":
                return view.get(V1Deployment.class, ns, root.name()).map(d -> d.getSpec() == null || d.getSpec().getTemplate() == null
                        ? null : d.getSpec().getTemplate().getSpec()).orElse(null);
            case "StatefulSet":
                return view.get(V1StatefulSet.class, ns, root.name()).map(s -> s.getSpec() == null ? null
                        : s.getSpec().getTemplate().getSpec()).orElse(null);
            case "DaemonSet":
                return view.get(V1DaemonSet.class, ns, root.name()).map(s -> s.getSpec() == null ? null
                        : s.getSpec().getTemplate().getSpec()).orElse(null);
            default:
                for (ResourceRef r : incident.resources()) {
                    if (!r.kind().equals("Pod")) continue;
                    Optional<V1Pod> p = view.get(V1Pod.class, r.namespace(), r.name());
                    if (p.isPresent()) return p.get().getSpec();
                }
                return null;
        }
    }

    static void references(V1PodSpec spec, Set<String> configMaps, Set<String> secrets) {
        if (spec.getVolumes() != null) {
            for (V1Volume v : spec.getVolumes()) {
                if (v.getConfigMap() != null && v.getConfigMap().getName() != null) configMaps.add(v.getConfigMap().getName());
                if (v.getSecret() != null && v.getSecret().getSecretName() != null) secrets.add(v.getSecret().getSecretName());
                if (v.getProjected() != null && v.getProjected().getSources() != null) {
                    for (V1VolumeProjection p : v.getProjected().getSources()) {
                        if (p.getConfigMap() != null && p.getConfigMap().getName() != null) configMaps.add(p.getConfigMap().getName());
                        if (p.getSecret() != null && p.getSecret().getName() != null) secrets.add(p.getSecret().getName());
                    }
                }
            }
        }
        for (V1Container c : concat(spec.getInitContainers(), spec.getContainers())) {
            if (c.getEnv() != null) {
                for (V1EnvVar e : c.getEnv()) {
                    if (e.getValueFrom() == null) continue;
                    if (e.getValueFrom().getConfigMapKeyRef() != null && e.getValueFrom().getConfigMapKeyRef().getName() != null) {
                        configMaps.add(e.getValueFrom().getConfigMapKeyRef().getName());
                    }
                    if (e.getValueFrom().getSecretKeyRef() != null && e.getValueFrom().getSecretKeyRef().getName() != null) {
                        secrets.add(e.getValueFrom().getSecretKeyRef().getName());
                    }
                }
            }
            if (c.getEnvFrom() != null) {
                for (V1EnvFromSource e : c.getEnvFrom()) {
                    if (e.getConfigMapRef() != null && e.getConfigMapRef().getName() != null) configMaps.add(e.getConfigMapRef().getName());
                    if (e.getSecretRef() != null && e.getSecretRef().getName() != null) secrets.add(e.getSecretRef().getName());
                }
            }
        }
    }

    // ------------------------------------------------------------------ nodes

    private void nodes(Incident incident, ClusterView view, Map<String, String> facts) {
        Set<String> names = new LinkedHashSet<>();
        if (incident.rootResource().kind().equals("Node")) names.add(incident.rootResource().name());
        for (Finding f : incident.findings()) {
            String n = f.fact("nodeName");
            if (n != null && !n.isBlank()) names.add(n);
            if (names.size() >= MAX_NODES) break;
        }
        for (String name : names) {
            Optional<V1Node> node = view.get(V1Node.class, null, name);
            if (node.isEmpty() || node.get().getStatus() == null || node.get().getStatus().getConditions() == null) continue;
            for (V1NodeCondition c : node.get().getStatus().getConditions()) {
                if (c.getType() == null || c.getStatus() == null) continue;
                boolean healthy = c.getType().equals("Ready") ? c.getStatus().equals("True") : c.getStatus().equals("False");
                facts.put("node." + name + "." + c.getType(), healthy || c.getReason() == null ? c.getStatus()
                        : c.getStatus() + " (" + c.getReason() + ")");
            }
            if (node.get().getSpec() != null && Boolean.TRUE.equals(node.get().getSpec().getUnschedulable())) {
                facts.put("node." + name + ".unschedulable", "true");
            }
        }
    }

    // ------------------------------------------------------------------ logs

    private List<LogExcerpt> logs(Incident incident, Map<String, String> facts, List<String> unread) {
        if (client == null || config.logPods() == 0 || config.logLines() == 0 || config.logBytes() == 0) return List.of();
        List<Finding> podFindings = new ArrayList<>();
        Set<String> pods = new LinkedHashSet<>();
        List<Finding> sorted = new ArrayList<>(incident.findings());
        sorted.sort(Comparator.comparingInt((Finding f) -> -parseInt(f.fact("restartCount"))));
        for (Finding f : sorted) {
            if (f.resource().kind().equals("Pod") && f.resource().namespace() != null && pods.add(f.resource().key())) {
                podFindings.add(f);
                if (podFindings.size() >= config.logPods()) break;
            }
        }
        CoreV1Api core = new CoreV1Api(client);
        List<LogExcerpt> out = new ArrayList<>();
        int budget = config.logBytesTotal();
        for (Finding f : podFindings) {
            String container = f.fact("container");
            boolean restarted = parseInt(f.fact("restartCount")) > 0 || f.fact("terminatedReason") != null;
            for (boolean previous : restarted ? new boolean[]{true, false} : new boolean[]{false}) {
                if (budget <= 0) return out;
                int limit = Math.min(config.logBytes(), budget);
                try {
                    var req = core.readNamespacedPodLog(f.resource().name(), f.resource().namespace())
                            .tailLines(config.logLines()).limitBytes(limit).previous(previous);
                    if (container != null) req = req.container(container);
                    String text = req.execute();
                    if (text == null || text.isEmpty()) continue;
                    boolean truncated = false;
                    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                    if (bytes.length > limit) {
                        // A server that ignores limitBytes: cut here, at a character boundary.
                        text = new String(bytes, 0, limit, StandardCharsets.UTF_8);
                        truncated = true;
                    }
                    if (bytes.length >= limit) truncated = true;
                    budget -= Math.min(bytes.length, limit);
                    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
                    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
                    if (lines.size() > config.logLines()) {
                        lines = lines.subList(lines.size() - config.logLines(), lines.size());
                        truncated = true;
                    }
                    out.add(new LogExcerpt(f.resource(), container, previous, redactor.applyLines(lines), truncated));
                } catch (ApiException e) {
                    if (e.getCode() == 403) {
                        unreadable(facts, "get pods/log " + f.resource().namespace() + "/" + f.resource().name());
                        unread.add("logs: " + unreadable(e) + " (forbidden)");
                        return out;  // the other pods' logs are refused the same way
                    }
                    // No log (container never started, no previous instance, pod gone): evidence without it.
                    // Anything else (403, 429, 5xx, no answer) is a gap worth saying.
                    if (e.getCode() != 400 && e.getCode() != 404) {
                        unread.add((previous ? "previous log of " : "log of ") + f.resource().key() + ": " + unreadable(e));
                    }
                } catch (RuntimeException e) {
                    // A proxy's HTML page, JSON instead of text, a truncated body: client-java cannot parse it.
                    unread.add((previous ? "previous log of " : "log of ") + f.resource().key() + ": " + unreadable(e));
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ helpers

    private static V1PodSpec templateSpec(V1ReplicaSet rs) {
        return rs.getSpec() == null || rs.getSpec().getTemplate() == null ? null : rs.getSpec().getTemplate().getSpec();
    }

    private static List<String> images(V1PodSpec spec) {
        if (spec == null || spec.getContainers() == null) return List.of();
        return spec.getContainers().stream().map(V1Container::getImage).filter(Objects::nonNull).toList();
    }

    private static String annotation(io.kubernetes.client.common.KubernetesObject o, String key) {
        Map<String, String> a = o.getMetadata() == null ? null : o.getMetadata().getAnnotations();
        return a == null ? null : a.get(key);
    }

    private static Long parseLong(String s) {
        if (s == null) return null;
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int parseInt(String s) {
        Long l = parseLong(s);
        return l == null ? 0 : (int) Math.min(Integer.MAX_VALUE, l);
    }

    @SafeVarargs
    private static <T> List<T> concat(List<T>... lists) {
        List<T> out = new ArrayList<>();
        for (List<T> l : lists) if (l != null) out.addAll(l);
        return out;
    }

    private static Instant min(Instant a, Instant b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.isAfter(b) ? a : b;
    }
}

package io.kubeincident.core.correlate;

import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.ClusterView;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Folds findings into incidents by root owner and keeps their lifecycle.
 *
 * <p>Grouping: an object's findings join the incident of its root owner (pod → ReplicaSet → Deployment,
 * pod → StatefulSet, pod → Job → CronJob; see {@link OwnerChains}); findings of pods on a node that is
 * not ready join the node's incident. So 30 crash-looping pods of one Deployment are one incident listing
 * all 30. When one root has findings of several types the incident takes the most specific one (a cause
 * such as {@code crash-loop} before a symptom such as {@code rollout-stuck}, see {@link #TYPE_PRIORITY}).
 * The fingerprint is {@code type:rootKey}: uid-free, so it survives pod and engine restarts.
 *
 * <p>Lifecycle: opened on the first finding; updated when its objects, severity or type change;
 * resolved when its findings stayed clear for {@code correlation.quiet_period}; findings that return
 * within {@code correlation.reopen_window} of the resolution reopen the same incident (flapping folds
 * into one). Times come from the injected clock.
 *
 * <p>The stateful methods ({@link #observe}, {@link #reconcile}, {@link #tick}) are synchronized; they
 * return the events to deliver, in order. {@link #correlate} is a stateless one-shot grouping.
 */
public final class Correlator {

    /** Incident types from most to least specific; unknown (plug-in) types rank after these. */
    public static final List<String> TYPE_PRIORITY = List.of(
            IncidentTypes.NODE_NOT_READY, IncidentTypes.NODE_PROBLEM, IncidentTypes.OOM_KILLED,
            IncidentTypes.POD_SANDBOX_FAILED, IncidentTypes.CONTAINER_CONFIG_ERROR,
            IncidentTypes.IMAGE_PULL, IncidentTypes.CRASH_LOOP, IncidentTypes.GRACE_PERIOD_EXCEEDED,
            IncidentTypes.PVC_LOST, IncidentTypes.UNSCHEDULABLE, IncidentTypes.PVC_PENDING,
            IncidentTypes.REPLICA_FAILURE, IncidentTypes.EVICTED, IncidentTypes.JOB_FAILED,
            IncidentTypes.READINESS_FAILING, IncidentTypes.STUCK_TERMINATING, IncidentTypes.BARE_POD_FAILED,
            IncidentTypes.NODE_PRESSURE, IncidentTypes.ARGOCD_DEGRADED, IncidentTypes.ROLLOUT_STUCK,
            IncidentTypes.WORKLOAD_UNAVAILABLE, IncidentTypes.STATEFULSET_SERVICE_MISSING,
            IncidentTypes.HPA_TARGET_MISSING, IncidentTypes.HPA_CANNOT_SCALE, IncidentTypes.HPA_METRICS_UNAVAILABLE,
            IncidentTypes.HPA_MAXED, IncidentTypes.SERVICE_NO_ENDPOINTS, IncidentTypes.MANUAL_ENDPOINTS_NOT_READY);

    /** Key prefix of the members reported from outside the watches ({@link #observeExternal}). */
    private static final String EXTERNAL = "external|";

    private final CorrelationConfig config;
    private final Clock clock;

    // object key → its findings and group
    private final Map<String, Member> members = new HashMap<>();
    // group key (root key) → group
    private final Map<String, Group> groups = new LinkedHashMap<>();
    // nodes with a node-not-ready finding, and the pods with findings on each node
    private final Set<String> notReadyNodes = new HashSet<>();
    private final Map<String, Set<String>> podsByNode = new HashMap<>();
    // examined object key → keys of its members about other resources
    private final Map<String, Set<String>> derived = new HashMap<>();

    public Correlator() {
        this(CorrelationConfig.defaults(), Clock.systemUTC());
    }

    public Correlator(CorrelationConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    // ------------------------------------------------------------------ one-shot

    /** Groups {@code findings} into incidents without keeping state (one-shot scans). */
    public List<Incident> correlate(List<Finding> findings, ClusterView view, Instant now) {
        Correlator once = new Correlator(config, Clock.fixed(now, java.time.ZoneOffset.UTC));
        Map<ResourceRef, List<Finding>> byObject = new LinkedHashMap<>();
        for (Finding f : findings) byObject.computeIfAbsent(f.resource(), k -> new ArrayList<>()).add(f);
        once.reconcile(byObject, view);
        return once.active();
    }

    public static String fingerprint(String type, ResourceRef root) {
        return type + ":" + root.key();
    }

    static String newId(String type) {
        return type + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // ------------------------------------------------------------------ stateful

    /**
     * Replaces the findings of one object (all detectors of its kind; empty when it is healthy or gone)
     * and returns what that did to incidents.
     */
    public synchronized List<IncidentEvent> observe(ResourceRef object, List<Finding> findings, ClusterView view) {
        forgetPastReopenWindow();
        Events events = new Events();
        observeObject(object, findings, view, events);
        return events.list();
    }

    /**
     * Replaces every object's findings with a full sweep's ({@code findings} by object; objects not in
     * it are healthy), then {@linkplain #tick ticks}.
     */
    public synchronized List<IncidentEvent> reconcile(Map<ResourceRef, List<Finding>> findings, ClusterView view) {
        forgetPastReopenWindow();
        Events events = new Events();
        Map<String, ResourceRef> seen = new HashMap<>();
        // Nodes first, so pods on a not-ready node group with it in this same pass.
        List<Map.Entry<ResourceRef, List<Finding>>> ordered = new ArrayList<>(findings.entrySet());
        ordered.sort(Comparator.comparing(e -> "Node".equals(e.getKey().kind()) ? 0 : 1));
        for (Map.Entry<ResourceRef, List<Finding>> e : ordered) {
            seen.put(e.getKey().key(), e.getKey());
            observeObject(e.getKey(), e.getValue(), view, events);
        }
        for (Member m : List.copyOf(members.values())) {
            if (!m.key.startsWith(EXTERNAL) && !seen.containsKey(m.source())) {
                derived.remove(m.source());
                apply(m.key, m.object, List.of(), view, events);
            }
        }
        tick(events);
        return events.list();
    }

    /**
     * A finding reported from outside the watches (an alert, a metrics rule), kept under its source's key until that
     * key is reported again (it replaces) or cleared ({@code finding} null). It joins the incident of its resource's
     * root like any other finding; sweeps leave it alone.
     */
    public synchronized List<IncidentEvent> observeExternal(String sourceKey, Finding finding, ClusterView view) {
        forgetPastReopenWindow();
        Events events = new Events();
        String key = EXTERNAL + sourceKey;
        if (finding != null) {
            apply(key, finding.resource(), List.of(finding), view, events);
        } else {
            Member m = members.get(key);
            if (m != null) apply(key, m.object, List.of(), view, events);
        }
        return events.list();
    }

    /** Resolves incidents that stayed clear for the quiet period; forgets resolutions past the reopen window. */
    public synchronized List<IncidentEvent> tick() {
        Events events = new Events();
        tick(events);
        return events.list();
    }

    /** Open incidents (not resolved), oldest first. */
    public synchronized List<Incident> active() {
        List<Incident> out = new ArrayList<>();
        for (Group g : groups.values()) {
            if (g.incident != null && g.incident.state() != IncidentState.RESOLVED) out.add(g.incident);
        }
        out.sort(Comparator.comparing(Incident::openedAt).thenComparing(Incident::fingerprint));
        return out;
    }

    /** Ids of the open incidents that have findings right now (not merely waiting out their quiet period). */
    public synchronized Set<String> detectedIds() {
        Set<String> out = new HashSet<>();
        for (Group g : groups.values()) {
            if (g.incident != null && g.incident.state() != IncidentState.RESOLVED && !g.members.isEmpty()) {
                out.add(g.incident.id());
            }
        }
        return out;
    }

    /**
     * Resolves an incident whose findings are gone before its quiet period ended (verification saw the fix
     * work); findings that come back within the reopen window reopen it. False when it still has findings,
     * is unknown or already resolved.
     */
    public synchronized boolean resolve(String incidentId) {
        Instant now = clock.instant();
        for (Group g : groups.values()) {
            if (g.incident != null && g.incident.id().equals(incidentId)) {
                if (g.incident.state() == IncidentState.RESOLVED || !g.members.isEmpty()) return false;
                g.incident = g.incident.withState(IncidentState.RESOLVED, now);
                g.resolvedAt = now;
                g.clearedAt = null;
                return true;
            }
        }
        return false;
    }

    public synchronized Optional<Incident> find(String incidentId) {
        for (Group g : groups.values()) {
            if (g.incident != null && g.incident.id().equals(incidentId)) return Optional.of(g.incident);
        }
        return Optional.empty();
    }

    /**
     * Records a state the engine moved an incident to (REMEDIATING, ESCALATED); later updates keep it
     * until the incident resolves. Returns false for an unknown id.
     */
    public synchronized boolean setState(String incidentId, IncidentState state) {
        for (Group g : groups.values()) {
            if (g.incident != null && g.incident.id().equals(incidentId)) {
                g.incident = g.incident.withState(state, clock.instant());
                return true;
            }
        }
        return false;
    }

    /** How many times the incident resolved and came back. */
    public synchronized int flaps(String incidentId) {
        for (Group g : groups.values()) {
            if (g.incident != null && g.incident.id().equals(incidentId)) return g.flaps;
        }
        return 0;
    }

    // ------------------------------------------------------------------ internals

    /**
     * The findings of one detector pass over one object. Those about the object itself are its member; those about
     * another resource (an Argo CD Application seen through a workload it manages) are a member of their own,
     * placed by that resource and owned by the examined object, so they clear when its next pass has none.
     */
    private void observeObject(ResourceRef examined, List<Finding> findings, ClusterView view, Events events) {
        Map<String, List<Finding>> byKey = new LinkedHashMap<>();
        Map<String, ResourceRef> refs = new HashMap<>();
        for (Finding f : findings == null ? List.<Finding>of() : findings) {
            boolean own = f.resource().key().equals(examined.key());
            String key = own ? examined.key() : examined.key() + Member.DERIVED + f.resource().key();
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
            refs.putIfAbsent(key, own ? examined : f.resource());
        }
        if (!byKey.containsKey(examined.key())) apply(examined.key(), examined, List.of(), view, events);
        for (Map.Entry<String, List<Finding>> e : byKey.entrySet()) {
            apply(e.getKey(), refs.get(e.getKey()), e.getValue(), view, events);
        }
        for (String before : derived.getOrDefault(examined.key(), Set.of())) {
            Member m = members.get(before);
            if (!byKey.containsKey(before) && m != null) apply(before, m.object, List.of(), view, events);
        }
        Set<String> now = new HashSet<>(byKey.keySet());
        now.remove(examined.key());
        if (now.isEmpty()) derived.remove(examined.key());
        else derived.put(examined.key(), now);
    }

    private void apply(String key, ResourceRef object, List<Finding> findings, ClusterView view, Events events) {
        if (!"Node".equals(object.kind()) || !key.equals(object.key())) {
            applyMember(key, object, findings, view, events);
            return;
        }
        boolean was = notReadyNodes.contains(object.name());
        boolean now = findings != null && findings.stream()
                .anyMatch(f -> IncidentTypes.NODE_NOT_READY.equals(f.incidentType()));
        if (now && !was) {
            // The node's own finding first, so its pods join an incident that already has the node's type.
            applyMember(key, object, findings, view, events);
            notReadyNodes.add(object.name());
            regroupPodsOn(object.name(), view, events);
        } else if (!now && was) {
            // Pods leave first, so the node's incident never shows them without the node's finding.
            notReadyNodes.remove(object.name());
            regroupPodsOn(object.name(), view, events);
            applyMember(key, object, findings, view, events);
        } else {
            applyMember(key, object, findings, view, events);
        }
    }

    private void applyMember(String key, ResourceRef object, List<Finding> findings, ClusterView view, Events events) {
        Member old = members.get(key);
        if (findings == null || findings.isEmpty()) {
            if (old == null) return;
            members.remove(key);
            unindexNode(old);
            Group g = groups.get(old.groupKey);
            if (g != null) {
                g.members.remove(key);
                recompute(g, events);
            }
            return;
        }
        Member m = new Member(key, object, List.copyOf(findings));
        place(m, view);
        members.put(key, m);
        if (old != null) unindexNode(old);
        indexNode(m);
        if (old != null && !old.groupKey.equals(m.groupKey)) {
            Group previous = groups.get(old.groupKey);
            if (previous != null) {
                previous.members.remove(key);
                recompute(previous, events);
            }
        }
        Group g = groups.computeIfAbsent(m.groupKey, k -> new Group(m.root));
        g.members.put(key, m);
        recompute(g, events);
    }

    /** Decides the group of a member: its node's when that node is not ready, else its root owner's. */
    private void place(Member m, ClusterView view) {
        String node = "Pod".equals(m.object.kind()) ? nodeOf(m) : null;
        if (node != null && notReadyNodes.contains(node)) {
            ResourceRef nodeRef = ResourceRef.cluster("Node", node);
            Group existing = groups.get(nodeRef.key());
            m.root = existing != null ? existing.root : nodeRef;
            m.chain = List.of(m.object, m.root);
        } else {
            m.chain = OwnerChains.chain(m.object, view);
            m.root = m.chain.get(m.chain.size() - 1);
        }
        m.groupKey = m.root.key();
    }

    private void regroupPodsOn(String node, ClusterView view, Events events) {
        Set<String> pods = podsByNode.get(node);
        if (pods == null) return;
        for (String podKey : List.copyOf(pods)) {
            Member m = members.get(podKey);
            if (m != null) applyMember(podKey, m.object, m.findings, view, events);
        }
    }

    private static String nodeOf(Member m) {
        for (Finding f : m.findings) {
            String n = f.fact("nodeName");
            if (n != null && !n.isBlank()) return n;
        }
        return null;
    }

    private void indexNode(Member m) {
        String node = "Pod".equals(m.object.kind()) ? nodeOf(m) : null;
        if (node != null) podsByNode.computeIfAbsent(node, k -> new LinkedHashSet<>()).add(m.key);
    }

    private void unindexNode(Member m) {
        String node = "Pod".equals(m.object.kind()) ? nodeOf(m) : null;
        if (node == null) return;
        Set<String> s = podsByNode.get(node);
        if (s != null) {
            s.remove(m.key);
            if (s.isEmpty()) podsByNode.remove(node);
        }
    }

    private void recompute(Group g, Events events) {
        Instant now = clock.instant();
        if (g.members.isEmpty()) {
            if (g.incident == null) {
                groups.remove(g.root.key());
            } else if (g.incident.state() != IncidentState.RESOLVED && g.clearedAt == null) {
                g.clearedAt = now; // the quiet period starts; tick() resolves
            }
            return;
        }
        List<Finding> findings = new ArrayList<>();
        Map<String, ResourceRef> resources = new LinkedHashMap<>();
        resources.put(g.root.key(), g.root);
        // Intermediate owners first (ReplicaSets), then the objects themselves, each in key order.
        TreeMap<String, Member> sorted = new TreeMap<>(g.members);
        for (Member m : sorted.values()) {
            for (int i = m.chain.size() - 2; i >= 1; i--) resources.putIfAbsent(m.chain.get(i).key(), m.chain.get(i));
        }
        // The root's own finding (a node's NotReady) first, then the objects in key order; a storm larger than
        // correlation.max_resources lists its first objects and findings (analysis and logs stay bounded).
        List<Member> ordered = new ArrayList<>(sorted.values());
        ordered.sort(Comparator.comparing((Member m) -> !m.object.key().equals(g.root.key())));
        for (Member m : ordered) {
            if (resources.size() < config.maxResources()) resources.putIfAbsent(m.object.key(), m.object);
            if (findings.size() < config.maxResources()) findings.addAll(m.findings);
        }
        String type = mostSpecific(findings);
        Severity severity = findings.stream().map(Finding::severity).reduce(Severity.INFO, Severity::max);
        String fingerprint = fingerprint(type, g.root);
        List<ResourceRef> resourceList = List.copyOf(resources.values());
        if (g.incident == null) {
            g.incident = new Incident(newId(type), fingerprint, type, severity, g.root, resourceList, findings,
                    IncidentState.OPEN, now, now);
            g.clearedAt = null;
            events.add(new IncidentEvent.Opened(g.incident));
            return;
        }
        Incident old = g.incident;
        boolean reopened = old.state() == IncidentState.RESOLVED;
        IncidentState state = reopened ? IncidentState.OPEN : old.state();
        boolean material = reopened || !old.type().equals(type) || old.severity() != severity
                || !old.resources().equals(resourceList);
        g.incident = new Incident(old.id(), fingerprint, type, severity, g.root, resourceList, findings, state,
                old.openedAt(), material ? now : old.updatedAt());
        g.clearedAt = null;
        if (reopened) {
            g.flaps++;
            g.resolvedAt = null;
            events.add(new IncidentEvent.Reopened(g.incident, g.flaps));
        } else if (material) {
            events.add(new IncidentEvent.Updated(g.incident));
        }
    }

    private void tick(Events events) {
        Instant now = clock.instant();
        for (Group g : List.copyOf(groups.values())) {
            if (g.incident == null) continue;
            if (g.incident.state() != IncidentState.RESOLVED) {
                if (g.members.isEmpty() && g.clearedAt != null && !g.clearedAt.plus(config.quietPeriod()).isAfter(now)) {
                    g.incident = g.incident.withState(IncidentState.RESOLVED, now);
                    g.resolvedAt = now;
                    g.clearedAt = null;
                    events.add(new IncidentEvent.Resolved(g.incident));
                }
            } else if (g.resolvedAt != null && !g.resolvedAt.plus(config.reopenWindow()).isAfter(now)
                    && g.members.isEmpty()) {
                groups.remove(g.root.key());
            }
        }
    }

    /** Resolved incidents whose reopen window has passed are forgotten before new findings are placed. */
    private void forgetPastReopenWindow() {
        Instant now = clock.instant();
        groups.values().removeIf(g -> g.incident != null && g.incident.state() == IncidentState.RESOLVED
                && g.members.isEmpty() && g.resolvedAt != null && !g.resolvedAt.plus(config.reopenWindow()).isAfter(now));
    }

    static String mostSpecific(List<Finding> findings) {
        String best = null;
        int bestRank = Integer.MAX_VALUE;
        for (Finding f : findings) {
            int rank = TYPE_PRIORITY.indexOf(f.incidentType());
            if (rank < 0) rank = TYPE_PRIORITY.size();
            if (rank < bestRank || (rank == bestRank && best != null && f.incidentType().compareTo(best) < 0)) {
                best = f.incidentType();
                bestRank = rank;
            }
        }
        return best;
    }

    private static final class Member {
        /** Separates the examined object's key from the resource of a finding about another resource. */
        static final String DERIVED = " > ";
        final String key;
        final ResourceRef object;
        final List<Finding> findings;
        List<ResourceRef> chain;
        ResourceRef root;
        String groupKey;

        Member(String key, ResourceRef object, List<Finding> findings) {
            this.key = key;
            this.object = object;
            this.findings = findings;
        }

        /** The key of the object whose detector pass produced this member. */
        String source() {
            int at = key.indexOf(DERIVED);
            return at < 0 ? key : key.substring(0, at);
        }
    }

    private static final class Group {
        final ResourceRef root;
        final Map<String, Member> members = new LinkedHashMap<>();
        Incident incident;
        Instant clearedAt;
        Instant resolvedAt;
        int flaps;

        Group(ResourceRef root) {
            this.root = root;
        }
    }

    /**
     * Events of one call, folded per incident: an Opened (or Reopened) followed by Updates stays one
     * Opened carrying the latest incident, and several Updates are one. A sweep over a 30-pod storm so
     * reports one Opened, not 30 events.
     */
    private static final class Events {
        private final List<IncidentEvent> list = new ArrayList<>();
        private final Map<String, Integer> index = new HashMap<>();

        void add(IncidentEvent e) {
            String id = e.incident().id();
            Integer at = index.get(id);
            if (at != null && e instanceof IncidentEvent.Updated) {
                IncidentEvent prev = list.get(at);
                IncidentEvent merged;
                if (prev instanceof IncidentEvent.Opened) merged = new IncidentEvent.Opened(e.incident());
                else if (prev instanceof IncidentEvent.Reopened r) merged = new IncidentEvent.Reopened(e.incident(), r.flaps());
                else if (prev instanceof IncidentEvent.Updated) merged = e;
                else merged = null;
                if (merged != null) {
                    list.set(at, merged);
                    return;
                }
            }
            index.put(id, list.size());
            list.add(e);
        }

        List<IncidentEvent> list() {
            return List.copyOf(list);
        }
    }
}

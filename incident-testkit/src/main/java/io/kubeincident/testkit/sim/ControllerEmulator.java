package io.kubeincident.testkit.sim;

import io.kubeincident.testkit.scenario.Names;
import io.kubeincident.testkit.scenario.PodBuilder;
import io.kubeincident.testkit.scenario.PodStates;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSetStatus;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A tiny stand-in for the Deployment and ReplicaSet controllers (and the kubelet making pods
 * Ready), so that the effect of an action can be observed on the loopback API server. It polls
 * the server every {@code period} and emulates exactly this:
 * <ul>
 *   <li><b>ReplicaSet</b>: when it has fewer pods than it had (a pod was deleted or evicted) or than
 *       its {@code spec.replicas} after a scale, it creates pods with new names
 *       ({@code <rs>-<suffix>}) from its template, Running and Ready by default (see
 *       {@link Builder#replacementPods}); with more pods than {@code spec.replicas} it deletes the
 *       surplus, unready first. Its status counts follow the pods.</li>
 *   <li><b>Deployment</b>: when its pod template or {@code spec.replicas} changes (a rollback, a
 *       restart annotation, a scale), the ReplicaSet of the new template (found by
 *       {@code pod-template-hash}, or created) becomes the newest revision with all the replicas and
 *       every other ReplicaSet is scaled to 0 at once (no gradual rolling). Status counts and the
 *       Available/Progressing conditions follow.</li>
 * </ul>
 * What exists when it first sees an object is taken as the steady state: it never "repairs" a
 * scenario (a stuck rollout stays stuck until its Deployment changes). No garbage collection,
 * no scheduling, no StatefulSets. Deterministic: names derive from the ReplicaSet name and a
 * counter. Each pass does at most {@code maxWritesPerPass} writes; {@link #stop()} ends it.
 */
public final class ControllerEmulator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ControllerEmulator.class.getName());
    static final String REVISION = "deployment.kubernetes.io/revision";

    private final ApiClient client;
    private final CoreV1Api core;
    private final AppsV1Api apps;
    private final Set<String> namespaces;
    private final Duration period;
    private final int maxWrites;
    private final Clock clock;
    private final BiFunction<V1ReplicaSet, PodBuilder, PodBuilder> replacement;
    private final Map<String, DeploymentSeen> deployments = new HashMap<>();
    private final Map<String, RsSeen> replicaSets = new HashMap<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong podsCreated = new AtomicLong();
    private ScheduledExecutorService loop;
    private int writes;

    private record DeploymentSeen(String hash, int replicas) {
    }

    private static final class RsSeen {
        int replicas;
        int highWater;

        RsSeen(int replicas, int highWater) {
            this.replicas = replicas;
            this.highWater = highWater;
        }
    }

    private ControllerEmulator(Builder b) {
        this.client = b.client;
        this.core = new CoreV1Api(b.client);
        this.apps = new AppsV1Api(b.client);
        this.namespaces = Set.copyOf(b.namespaces);
        this.period = b.period;
        this.maxWrites = b.maxWritesPerPass;
        this.clock = b.clock;
        this.replacement = b.replacement;
    }

    public static Builder builder(ApiClient client) {
        return new Builder(client);
    }

    public static final class Builder {
        private final ApiClient client;
        private Set<String> namespaces = Set.of();
        private Duration period = Duration.ofMillis(100);
        private int maxWritesPerPass = 100;
        private Clock clock = Clock.systemUTC();
        private BiFunction<V1ReplicaSet, PodBuilder, PodBuilder> replacement = (rs, p) -> p.running();

        private Builder(ApiClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /** Only these namespaces (default: all). */
        public Builder namespaces(String... ns) {
            this.namespaces = Set.of(ns);
            return this;
        }

        public Builder period(Duration p) {
            if (p.isNegative() || p.isZero()) throw new IllegalArgumentException("period must be positive");
            this.period = p;
            return this;
        }

        public Builder maxWritesPerPass(int n) {
            if (n < 1) throw new IllegalArgumentException("maxWritesPerPass must be >= 1");
            this.maxWritesPerPass = n;
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** The state of pods it creates (default Running and Ready), e.g. {@code (rs, p) -> p.crashLoopBackOff(1)}. */
        public Builder replacementPods(BiFunction<V1ReplicaSet, PodBuilder, PodBuilder> state) {
            this.replacement = Objects.requireNonNull(state, "state");
            return this;
        }

        /** Builds it without starting the loop ({@link ControllerEmulator#reconcileOnce()} drives it). */
        public ControllerEmulator build() {
            return new ControllerEmulator(this);
        }

        /** Builds it, takes the current state as steady and starts the polling loop. */
        public ControllerEmulator start() {
            return build().start();
        }
    }

    /** Records the current state as steady, then reconciles every period on a daemon thread. */
    public synchronized ControllerEmulator start() {
        if (loop != null) return this;
        reconcileOnce();
        loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "controller-emulator");
            t.setDaemon(true);
            return t;
        });
        loop.scheduleWithFixedDelay(this::safePass, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public void stop() {
        ScheduledExecutorService l;
        synchronized (this) {
            l = loop;
            loop = null;
        }
        if (l == null) return;
        l.shutdownNow();
        try {
            l.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Passes completed so far. */
    public long passes() {
        return passes.get();
    }

    /** Pods it created so far. */
    public long podsCreated() {
        return podsCreated.get();
    }

    private void safePass() {
        try {
            reconcileOnce();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "controller emulator pass failed; retrying next period", e);
        }
    }

    /** One reconciliation pass, synchronously. */
    public synchronized void reconcileOnce() {
        writes = 0;
        try {
            List<V1Deployment> ds = listDeployments();
            List<V1ReplicaSet> rss = listReplicaSets();
            for (V1Deployment d : ds) reconcileDeployment(d, rss);
            rss = listReplicaSets();
            List<V1Pod> pods = listPods();
            for (V1ReplicaSet rs : rss) reconcileReplicaSet(rs, pods);
            rss = listReplicaSets();
            pods = listPods();
            for (V1Deployment d : listDeployments()) updateDeploymentStatus(d, rss, pods);
        } catch (ApiException e) {
            LOG.log(Level.FINE, "controller emulator: " + e.getCode() + " " + e.getResponseBody());
        } catch (WriteBudgetExhausted ignored) {
            // the rest waits for the next pass
        }
        passes.incrementAndGet();
    }

    // ---------------------------------------------------------------- Deployment

    private void reconcileDeployment(V1Deployment d, List<V1ReplicaSet> all) throws ApiException {
        String key = key(d.getMetadata());
        String hash = Names.templateHash(d.getSpec().getTemplate());
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        DeploymentSeen seen = deployments.get(key);
        if (seen == null) {
            deployments.put(key, new DeploymentSeen(hash, replicas));
            return;
        }
        if (seen.hash.equals(hash) && seen.replicas == replicas) return;
        String ns = d.getMetadata().getNamespace();
        List<V1ReplicaSet> owned = ownedBy(all, d.getMetadata().getUid());
        int maxRev = owned.stream().mapToInt(ControllerEmulator::revision).max().orElse(0);
        V1ReplicaSet target = owned.stream()
                .filter(rs -> hash.equals(labels(rs.getMetadata()).get("pod-template-hash"))).findFirst().orElse(null);
        int newRev = seen.hash.equals(hash) && target != null ? revision(target) : maxRev + 1;
        if (target == null) {
            V1PodTemplateSpec t = JSON.deserialize(JSON.serialize(d.getSpec().getTemplate()), V1PodTemplateSpec.class);
            if (t.getMetadata() == null) t.setMetadata(new V1ObjectMeta());
            Map<String, String> l = new LinkedHashMap<>(labels(t.getMetadata()));
            l.put("pod-template-hash", hash);
            t.getMetadata().setLabels(l);
            Map<String, String> sel = new LinkedHashMap<>(d.getSpec().getSelector() == null || d.getSpec().getSelector().getMatchLabels() == null
                    ? Map.of() : d.getSpec().getSelector().getMatchLabels());
            sel.put("pod-template-hash", hash);
            V1ReplicaSet rs = new V1ReplicaSet().apiVersion("apps/v1").kind("ReplicaSet")
                    .metadata(new V1ObjectMeta().name(d.getMetadata().getName() + "-" + hash).namespace(ns).labels(l)
                            .annotations(new LinkedHashMap<>(Map.of(REVISION, Integer.toString(newRev))))
                            .ownerReferences(List.of(new V1OwnerReference().apiVersion("apps/v1").kind("Deployment")
                                    .name(d.getMetadata().getName()).uid(d.getMetadata().getUid()).controller(true).blockOwnerDeletion(true))))
                    .spec(new V1ReplicaSetSpec().replicas(replicas).selector(new V1LabelSelector().matchLabels(sel)).template(t))
                    .status(new V1ReplicaSetStatus().replicas(0));
            write();
            V1ReplicaSet created = apps.createNamespacedReplicaSet(ns, rs).execute();
            replicaSets.put(key(created.getMetadata()), new RsSeen(replicas, replicas));
        } else {
            Map<String, String> ann = new LinkedHashMap<>(annotations(target.getMetadata()));
            ann.put(REVISION, Integer.toString(newRev));
            target.getMetadata().setAnnotations(ann);
            target.getSpec().setReplicas(replicas);
            write();
            apps.replaceNamespacedReplicaSet(target.getMetadata().getName(), ns, target).execute();
            replicaSets.put(key(target.getMetadata()), new RsSeen(replicas, replicas));
        }
        for (V1ReplicaSet other : owned) {
            if (other == target) continue;
            if (other.getSpec().getReplicas() != null && other.getSpec().getReplicas() == 0) continue;
            other.getSpec().setReplicas(0);
            write();
            apps.replaceNamespacedReplicaSet(other.getMetadata().getName(), ns, other).execute();
            replicaSets.put(key(other.getMetadata()), new RsSeen(0, 0));
        }
        Map<String, String> ann = new LinkedHashMap<>(annotations(d.getMetadata()));
        ann.put(REVISION, Integer.toString(newRev));
        d.getMetadata().setAnnotations(ann);
        write();
        apps.replaceNamespacedDeployment(d.getMetadata().getName(), ns, d).execute();
        deployments.put(key, new DeploymentSeen(hash, replicas));
    }

    private void updateDeploymentStatus(V1Deployment d, List<V1ReplicaSet> all, List<V1Pod> pods) throws ApiException {
        DeploymentSeen seen = deployments.get(key(d.getMetadata()));
        if (seen == null) return;
        List<V1ReplicaSet> owned = ownedBy(all, d.getMetadata().getUid());
        int total = 0;
        int ready = 0;
        int updated = 0;
        boolean othersEmpty = true;
        V1ReplicaSet current = null;
        for (V1ReplicaSet rs : owned) {
            List<V1Pod> ps = podsOf(pods, rs);
            total += ps.size();
            int r = (int) ps.stream().filter(PodStates::ready).count();
            ready += r;
            if (seen.hash.equals(labels(rs.getMetadata()).get("pod-template-hash"))) {
                updated = ps.size();
                current = rs;
            } else if (!ps.isEmpty()) {
                othersEmpty = false;
            }
        }
        V1DeploymentStatus st = d.getStatus() == null ? new V1DeploymentStatus() : d.getStatus();
        int replicas = seen.replicas;
        boolean complete = current != null && updated == replicas && ready == replicas && othersEmpty;
        Integer unavailable = total > ready ? total - ready : null;
        if (Objects.equals(st.getReplicas(), total) && Objects.equals(st.getReadyReplicas(), ready)
                && Objects.equals(st.getUpdatedReplicas(), updated) && Objects.equals(st.getUnavailableReplicas(), unavailable)
                && (!complete || hasReason(st, "NewReplicaSetAvailable"))) {
            return;
        }
        st.replicas(total).readyReplicas(ready).availableReplicas(ready).updatedReplicas(updated).unavailableReplicas(unavailable)
                .observedGeneration(d.getMetadata().getGeneration());
        if (complete) {
            OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
            List<V1DeploymentCondition> conds = new ArrayList<>();
            conds.add(new V1DeploymentCondition().type("Available").status("True").reason("MinimumReplicasAvailable")
                    .message("Deployment has minimum availability.").lastUpdateTime(now).lastTransitionTime(now));
            conds.add(new V1DeploymentCondition().type("Progressing").status("True").reason("NewReplicaSetAvailable")
                    .message("ReplicaSet \"" + current.getMetadata().getName() + "\" has successfully progressed.")
                    .lastUpdateTime(now).lastTransitionTime(now));
            st.setConditions(conds);
        }
        d.setStatus(st);
        write();
        apps.replaceNamespacedDeploymentStatus(d.getMetadata().getName(), d.getMetadata().getNamespace(), d).execute();
    }

    private static boolean hasReason(V1DeploymentStatus st, String reason) {
        return st.getConditions() != null && st.getConditions().stream().anyMatch(c -> reason.equals(c.getReason()));
    }

    // ---------------------------------------------------------------- ReplicaSet

    private void reconcileReplicaSet(V1ReplicaSet rs, List<V1Pod> allPods) throws ApiException {
        String key = key(rs.getMetadata());
        int desired = rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
        List<V1Pod> pods = podsOf(allPods, rs);
        RsSeen seen = replicaSets.get(key);
        if (seen == null) {
            replicaSets.put(key, new RsSeen(desired, pods.size()));
            return;
        }
        if (seen.replicas != desired) {
            seen.replicas = desired;
            seen.highWater = desired;
        }
        seen.highWater = Math.max(seen.highWater, Math.min(pods.size(), desired));
        int want = Math.min(desired, seen.highWater);
        String ns = rs.getMetadata().getNamespace();
        if (pods.size() < want) {
            for (int i = pods.size(); i < want; i++) createPod(rs, allPods);
        } else if (pods.size() > desired) {
            List<V1Pod> victims = new ArrayList<>(pods);
            victims.sort(Comparator.comparing((V1Pod p) -> PodStates.ready(p)).thenComparing(p -> p.getMetadata().getName()));
            for (V1Pod v : victims.subList(0, pods.size() - desired)) {
                write();
                try {
                    core.deleteNamespacedPod(v.getMetadata().getName(), ns).execute();
                } catch (ApiException e) {
                    if (e.getCode() != 404) throw e;
                }
            }
        }
        List<V1Pod> now = podsOf(listPods(ns), rs);
        int ready = (int) now.stream().filter(PodStates::ready).count();
        V1ReplicaSetStatus st = rs.getStatus() == null ? new V1ReplicaSetStatus() : rs.getStatus();
        if (!Objects.equals(st.getReplicas(), now.size()) || !Objects.equals(st.getReadyReplicas(), ready)) {
            rs.setStatus(st.replicas(now.size()).readyReplicas(ready).availableReplicas(ready).fullyLabeledReplicas(now.size())
                    .observedGeneration(rs.getMetadata().getGeneration()));
            write();
            apps.replaceNamespacedReplicaSetStatus(rs.getMetadata().getName(), ns, rs).execute();
        }
    }

    private void createPod(V1ReplicaSet rs, List<V1Pod> existing) throws ApiException {
        String rsName = rs.getMetadata().getName();
        String ns = rs.getMetadata().getNamespace();
        Set<String> taken = new java.util.HashSet<>();
        existing.forEach(p -> taken.add(p.getMetadata().getName()));
        String name;
        do {
            int n = counters.merge(key(rs.getMetadata()), 1, Integer::sum);
            name = rsName + "-" + Names.suffix(rsName + "/emulated/" + n);
        } while (taken.contains(name));
        PodBuilder pb = PodBuilder.pod(ns, name).labels(labels(rs.getSpec().getTemplate().getMetadata()))
                .spec(rs.getSpec().getTemplate().getSpec()).clock(clock).age(Duration.ZERO).ownedBy(rs);
        V1Pod pod = replacement.apply(rs, pb).build();
        write();
        core.createNamespacedPod(ns, pod).execute();
        existing.add(pod);
        podsCreated.incrementAndGet();
    }

    // ---------------------------------------------------------------- helpers

    private static final class WriteBudgetExhausted extends RuntimeException {
        WriteBudgetExhausted() {
            super(null, null, false, false);
        }
    }

    private void write() {
        if (++writes > maxWrites) throw new WriteBudgetExhausted();
    }

    private List<V1Deployment> listDeployments() throws ApiException {
        List<V1Deployment> out = new ArrayList<>();
        if (namespaces.isEmpty()) return apps.listDeploymentForAllNamespaces().execute().getItems();
        for (String ns : namespaces) out.addAll(apps.listNamespacedDeployment(ns).execute().getItems());
        return out;
    }

    private List<V1ReplicaSet> listReplicaSets() throws ApiException {
        List<V1ReplicaSet> out = new ArrayList<>();
        if (namespaces.isEmpty()) return apps.listReplicaSetForAllNamespaces().execute().getItems();
        for (String ns : namespaces) out.addAll(apps.listNamespacedReplicaSet(ns).execute().getItems());
        return out;
    }

    private List<V1Pod> listPods() throws ApiException {
        List<V1Pod> out = new ArrayList<>();
        if (namespaces.isEmpty()) return new ArrayList<>(core.listPodForAllNamespaces().execute().getItems());
        for (String ns : namespaces) out.addAll(core.listNamespacedPod(ns).execute().getItems());
        return out;
    }

    private List<V1Pod> listPods(String ns) throws ApiException {
        return core.listNamespacedPod(ns).execute().getItems();
    }

    private static List<V1ReplicaSet> ownedBy(List<V1ReplicaSet> all, String uid) {
        return all.stream().filter(rs -> controlledBy(rs.getMetadata(), uid)).toList();
    }

    private static List<V1Pod> podsOf(List<V1Pod> all, V1ReplicaSet rs) {
        String uid = rs.getMetadata().getUid();
        return all.stream().filter(p -> controlledBy(p.getMetadata(), uid))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private static boolean controlledBy(V1ObjectMeta md, String uid) {
        if (md.getOwnerReferences() == null || uid == null) return false;
        return md.getOwnerReferences().stream().anyMatch(r -> uid.equals(r.getUid()) && Boolean.TRUE.equals(r.getController()));
    }

    private static int revision(V1ReplicaSet rs) {
        try {
            return Integer.parseInt(annotations(rs.getMetadata()).getOrDefault(REVISION, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, String> labels(V1ObjectMeta md) {
        return md == null || md.getLabels() == null ? Map.of() : md.getLabels();
    }

    private static Map<String, String> annotations(V1ObjectMeta md) {
        return md == null || md.getAnnotations() == null ? Map.of() : md.getAnnotations();
    }

    private static String key(V1ObjectMeta md) {
        return md.getNamespace() + "/" + md.getName();
    }

    /** The client it uses (for tests that want to talk to the same server). */
    public ApiClient client() {
        return client;
    }
}

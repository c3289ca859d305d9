package io.kubeincident.core.action;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.Permission;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.Reversible;
import io.kubeincident.spi.SupportsDryRun;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.PolicyV1Api;
import io.kubernetes.client.openapi.models.V1DeleteOptions;
import io.kubernetes.client.openapi.models.V1Eviction;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Volume;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code drain-node}: cordons a node and evicts its pods through the Eviction API (policy/v1), so that
 * PodDisruptionBudgets are honoured. client-java's {@code KubectlDrain} deletes pods instead of evicting
 * them, which ignores PodDisruptionBudgets, so this is ours.
 *
 * <ul>
 *   <li>DaemonSet and mirror (static) pods are skipped, as kubectl does; pods in excluded or opted-out
 *       namespaces, and opted-out pods, are left in place and named.</li>
 *   <li>It refuses before touching anything when the node carries bare pods (they would be gone for good)
 *       or pods with local storage ({@code emptyDir}) unless {@code allowLocalStorage}; it refuses the last
 *       schedulable node and more than {@code safety.max_nodes_draining} nodes at once.</li>
 *   <li>A 429 (a PodDisruptionBudget forbids the eviction now) is retried a bounded number of times, then
 *       the drain fails naming the pod and the budget; the node stays cordoned.</li>
 *   <li>One global timeout bounds the whole drain, waiting for the evicted pods included.</li>
 * </ul>
 * Reversible in part: undo uncordons the node when this action cordoned it (evicted pods have moved on).
 */
public final class DrainNodeAction extends KubeAction implements SupportsDryRun, Reversible {

    static final Permission LIST_PODS = Permission.core("pods", "list");
    static final Permission GET_POD = Permission.core("pods", "get");
    static final Permission EVICT = Permission.core("pods/eviction", "create");
    static final Permission LIST_PDB = Permission.of("policy", "poddisruptionbudgets", "list");

    private final SafetyConfig limits;
    private final DrainConfig drain;

    public DrainNodeAction(KubeApi kube, SafetyConfig limits, DrainConfig drain) {
        super(kube);
        this.limits = limits;
        this.drain = drain;
    }

    @Override
    public String id() {
        return ActionTypes.DRAIN_NODE;
    }

    @Override
    public String description() {
        return "Cordon a node and evict its pods through the Eviction API, honouring PodDisruptionBudgets.";
    }

    @Override
    public Set<String> targetKinds() {
        return Set.of("Node");
    }

    @Override
    protected boolean namespaced() {
        return false;
    }

    @Override
    public Map<String, Object> parametersSchema() {
        return Schemas.object(Map.of(
                "allowLocalStorage", Schemas.bool("evict pods with emptyDir volumes too (their data is lost); default false"),
                "timeoutSeconds", Schemas.integer(10, 1800, "global timeout of the drain; default remediation.drain_timeout"),
                "gracePeriodSeconds", Schemas.integer(0, 600, "grace period for evicted pods; default: each pod's own")),
                List.of());
    }

    @Override
    public Set<Permission> permissions() {
        return Set.of(NodeGuard.GET, NodeGuard.LIST, NodeGuard.PATCH, LIST_PODS, GET_POD, EVICT, LIST_PDB);
    }

    @Override
    public String enableKey() {
        return "enable_node_drain";
    }

    @Override
    protected String eventReasonPrefix() {
        return "Drain";
    }

    /** The pods of a node sorted into what a drain does with them. */
    record Triage(List<V1Pod> evict, List<String> skipped, List<String> leftInPlace, List<String> blockers) {
    }

    Triage triage(List<V1Pod> pods, ActionRequest request, ActionContext context) {
        List<V1Pod> evict = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<String> left = new ArrayList<>();
        List<String> blockers = new ArrayList<>();
        boolean allowLocal = request.booleanParam("allowLocalStorage", false);
        for (V1Pod p : pods) {
            V1ObjectMeta m = p.getMetadata();
            String key = m.getNamespace() + "/" + m.getName();
            if (Workloads.annotations(m).containsKey(Workloads.MIRROR_POD)) {
                skipped.add(key + " (mirror pod)");
                continue;
            }
            Optional<V1OwnerReference> owner = Workloads.controllerOf(m);
            if (owner.isPresent() && "DaemonSet".equals(owner.get().getKind())) {
                skipped.add(key + " (DaemonSet)");
                continue;
            }
            if (limits.excluded(m.getNamespace())) {
                left.add(key + " (excluded namespace)");
                continue;
            }
            if (optedOut(p, context)) {
                left.add(key + " (opted out with " + limits.optOutLabel() + ")");
                continue;
            }
            String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
            boolean finished = "Succeeded".equals(phase) || "Failed".equals(phase);
            if (owner.isEmpty() && !finished) {
                blockers.add(key + " has no controller; evicting it would remove it for good");
                continue;
            }
            if (!allowLocal && !finished && usesLocalStorage(p)) {
                blockers.add(key + " uses local storage (emptyDir); set allowLocalStorage to evict it and lose the data");
                continue;
            }
            evict.add(p);
        }
        return new Triage(evict, skipped, left, blockers);
    }

    private boolean optedOut(V1Pod p, ActionContext context) {
        String label = limits.optOutLabel();
        if ("true".equals(Workloads.labels(p).get(label))) return true;
        Optional<V1Namespace> ns = context.cluster().get(V1Namespace.class, null, p.getMetadata().getNamespace());
        return ns.isPresent() && "true".equals(Workloads.labels(ns.get()).get(label));
    }

    static boolean usesLocalStorage(V1Pod p) {
        if (p.getSpec() == null || p.getSpec().getVolumes() == null) return false;
        for (V1Volume v : p.getSpec().getVolumes()) if (v.getEmptyDir() != null) return true;
        return false;
    }

    private List<V1Pod> podsOn(ApiClient client, String node) throws KubeCallException {
        CoreV1Api api = new CoreV1Api(client);
        List<V1Pod> pods = kube.call(LIST_PODS, "Pods on Node/" + node,
                () -> api.listPodForAllNamespaces().fieldSelector("spec.nodeName=" + node).execute()).getItems();
        // the field selector is the server's job; checking again costs nothing and guards against a server that ignores it
        return pods.stream().filter(p -> p.getSpec() != null && node.equals(p.getSpec().getNodeName())).toList();
    }

    @Override
    protected List<String> check(ActionRequest request, ActionContext context) throws KubeCallException {
        ResourceRef target = request.target();
        V1Node node = CordonNodeAction.read(kube, context.apiClient(), target);
        List<String> problems = new ArrayList<>();
        if (Workloads.nodeSchedulable(node)) {
            problems.addAll(NodeGuard.problems(kube, context.apiClient(), target.name(), limits.maxNodesDraining()));
        }
        problems.addAll(triage(podsOn(context.apiClient(), target.name()), request, context).blockers());
        return problems;
    }

    @Override
    protected ActionResult run(ActionRequest request, ActionContext context) throws KubeCallException {
        ResourceRef target = request.target();
        ApiClient client = context.apiClient();
        Duration timeout = request.parameters().containsKey("timeoutSeconds")
                ? Duration.ofSeconds(Math.min(request.longParam("timeoutSeconds", 300), drain.timeout().toSeconds()))
                : drain.timeout();
        Instant deadline = context.clock().instant().plus(timeout);
        V1Node node = CordonNodeAction.read(kube, client, target);
        boolean wasSchedulable = Workloads.nodeSchedulable(node);
        List<String> problems = new ArrayList<>();
        if (wasSchedulable) problems.addAll(NodeGuard.problems(kube, client, target.name(), limits.maxNodesDraining()));
        Triage t = triage(podsOn(client, target.name()), request, context);
        problems.addAll(t.blockers());
        if (!problems.isEmpty()) return ActionResult.failed("refused to drain " + target + ": " + String.join("; ", problems));

        if (wasSchedulable) CordonNodeAction.setUnschedulable(kube, client, target, true, dryRun(request));
        List<String> evicted = new ArrayList<>();
        List<String> blocked = new ArrayList<>();
        Map<String, String> evictedUids = new LinkedHashMap<>();
        Long grace = request.parameters().containsKey("gracePeriodSeconds") ? request.longParam("gracePeriodSeconds", 30) : null;
        for (V1Pod p : t.evict()) {
            String key = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
            Optional<String> blockedBy = evict(client, p, grace, request, context.clock(), deadline);
            if (blockedBy.isEmpty()) {
                evicted.add(key);
                evictedUids.put(key, p.getMetadata().getUid());
            } else {
                blocked.add(key + " (" + blockedBy.get() + ")");
            }
        }
        String summary = summary(target, evicted, t);
        if (request.dryRun()) {
            return blocked.isEmpty()
                    ? ActionResult.dryRun("would drain " + target + ": " + summary + "; accepted with dryRun=All")
                    : ActionResult.failed("dry run of drain of " + target + ": evictions would be blocked: " + blocked);
        }
        if (!blocked.isEmpty()) {
            String msg = "drain of " + target + " incomplete: eviction blocked for " + blocked + " after "
                    + drain.evictionAttempts() + " attempts; " + summary + "; the node stays cordoned";
            event(context, request, target, EVENT_WARNING, "DrainBlocked", msg);
            return ActionResult.failedRetryable(msg);
        }
        List<String> remaining = waitUntilGone(client, evictedUids, context.clock(), deadline);
        if (!remaining.isEmpty()) {
            String msg = "drain of " + target + " timed out after " + timeout.toSeconds() + "s waiting for " + remaining
                    + " to terminate; the node stays cordoned";
            event(context, request, target, EVENT_WARNING, "DrainTimeout", msg);
            return ActionResult.failedRetryable(msg);
        }
        String msg = "drained " + target + ": " + summary;
        event(context, request, target, EVENT_NORMAL, "Drain", msg);
        Map<String, Object> undo = new LinkedHashMap<>();
        undo.put("cordonedByUs", wasSchedulable);
        undo.put("evicted", evicted);
        return ActionResult.applied(msg, undo);
    }

    private static String summary(ResourceRef target, List<String> evicted, Triage t) {
        StringBuilder sb = new StringBuilder("evicted " + evicted.size() + " pod(s) " + evicted);
        if (!t.skipped().isEmpty()) sb.append(", skipped ").append(t.skipped());
        if (!t.leftInPlace().isEmpty()) sb.append(", left in place ").append(t.leftInPlace());
        return sb.toString();
    }

    /** Evicts one pod; empty when evicted (or already gone), else what blocked it. */
    private Optional<String> evict(ApiClient client, V1Pod pod, Long grace, ActionRequest request, Clock clock, Instant deadline)
            throws KubeCallException {
        CoreV1Api api = new CoreV1Api(client);
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        V1DeleteOptions options = new V1DeleteOptions();
        if (grace != null) options.gracePeriodSeconds(grace);
        if (request.dryRun()) options.dryRun(List.of("All"));
        V1Eviction eviction = new V1Eviction().apiVersion("policy/v1").kind("Eviction")
                .metadata(new V1ObjectMeta().name(name).namespace(ns)).deleteOptions(options);
        KubeCallException last = null;
        for (int attempt = 1; attempt <= drain.evictionAttempts(); attempt++) {
            if (attempt > 1) {
                if (!clock.instant().isBefore(deadline)) break;
                try {
                    kube.sleeper().sleep(drain.evictionBackoff());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.of("interrupted");
                }
            }
            try {
                kube.callNoRetryOn429(EVICT, "Pod/" + ns + "/" + name,
                        () -> postEviction(api.createNamespacedPodEviction(name, ns, eviction).dryRun(dryRun(request)).buildCall(null)));
                return Optional.empty();
            } catch (KubeCallException e) {
                if (e.is(KubeCallException.Kind.NOT_FOUND)) return Optional.empty();
                if (!e.is(KubeCallException.Kind.TOO_MANY_REQUESTS)) throw e;
                last = e;
            }
        }
        return Optional.of("blocked by " + pdbNames(client, pod) + (last == null ? "" : ", last answer HTTP " + last.status()));
    }

    /**
     * The API server answers a granted eviction with a {@code Status}, which client-java's generated
     * {@code execute()} fails to parse as a {@code V1Eviction}; so the call is made raw and judged by its code.
     */
    private static Object postEviction(okhttp3.Call call) throws io.kubernetes.client.openapi.ApiException {
        try (okhttp3.Response r = call.execute()) {
            if (r.isSuccessful()) return r.code();
            String body = r.body() == null ? null : r.body().string();
            throw new io.kubernetes.client.openapi.ApiException(r.code(), r.headers().toMultimap(), body);
        } catch (java.io.IOException e) {
            throw new io.kubernetes.client.openapi.ApiException(e);
        }
    }

    private String pdbNames(ApiClient client, V1Pod pod) {
        try {
            PolicyV1Api api = new PolicyV1Api(client);
            String ns = pod.getMetadata().getNamespace();
            List<V1PodDisruptionBudget> pdbs = kube.call(LIST_PDB, "PodDisruptionBudgets in " + ns,
                    () -> api.listNamespacedPodDisruptionBudget(ns).execute()).getItems();
            List<String> names = pdbs.stream()
                    .filter(b -> b.getSpec() != null && Workloads.matches(b.getSpec().getSelector(), Workloads.labels(pod)))
                    .map(b -> "PodDisruptionBudget " + ns + "/" + b.getMetadata().getName()).toList();
            return names.isEmpty() ? "a PodDisruptionBudget" : String.join(", ", names);
        } catch (KubeCallException e) {
            return "a PodDisruptionBudget (could not list them: " + e.getMessage() + ")";
        }
    }

    private List<String> waitUntilGone(ApiClient client, Map<String, String> uids, Clock clock, Instant deadline) throws KubeCallException {
        CoreV1Api api = new CoreV1Api(client);
        List<String> remaining = new ArrayList<>(uids.keySet());
        long maxPolls = Math.max(1, drain.timeout().toMillis() / Math.max(1, drain.pollInterval().toMillis())) + 1;
        for (long poll = 0; poll < maxPolls && !remaining.isEmpty(); poll++) {
            List<String> still = new ArrayList<>();
            for (String key : remaining) {
                String[] nsName = key.split("/", 2);
                try {
                    V1Pod p = kube.call(GET_POD, "Pod/" + key, () -> api.readNamespacedPod(nsName[1], nsName[0]).execute());
                    if (uids.get(key) == null || uids.get(key).equals(p.getMetadata().getUid())) still.add(key);
                } catch (KubeCallException e) {
                    if (!e.is(KubeCallException.Kind.NOT_FOUND)) throw e;
                }
            }
            remaining = still;
            if (remaining.isEmpty()) break;
            if (!clock.instant().isBefore(deadline)) break;
            try {
                kube.sleeper().sleep(drain.pollInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return remaining;
    }

    @Override
    public ActionResult undo(ActionRequest original, ActionResult.Applied applied, ActionContext context) {
        return undoGuarded(original, applied, context);
    }

    @Override
    protected ActionResult runUndo(ActionRequest original, ActionResult.Applied applied, ActionContext context)
            throws KubeCallException {
        return CordonNodeAction.uncordon(kube, original, applied, context);
    }
}

package io.kubeincident.core.safety;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Verdict;
import io.kubeincident.core.action.Workloads;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1StatefulSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * No action that would take a workload below its PodDisruptionBudget or its last ready replica.
 *
 * <ul>
 *   <li>{@code restart-pod} of a Ready pod: denied when it is the last ready pod of its controller, or a
 *       PodDisruptionBudget covering it allows no disruption now. Restarting a pod that is not Ready costs
 *       no availability.</li>
 *   <li>{@code scale} down: denied below a PodDisruptionBudget's {@code minAvailable}.</li>
 *   <li>{@code drain-node}: denied when a Ready pod on the node is the last ready replica of its controller
 *       or its PodDisruptionBudget allows no disruption now.</li>
 *   <li>rolling changes ({@code rollout-restart}, {@code rollback-deployment}, {@code adjust-resources}):
 *       denied when the workload has ready pods and would take them all down at once (a Deployment with the
 *       {@code Recreate} strategy, a single-replica StatefulSet or DaemonSet).</li>
 * </ul>
 * Judged on the cluster view; objects it does not hold cannot be judged and are allowed with a note.
 */
public final class AvailabilityPolicy implements SafetyPolicy {

    public static final String ID = "availability";

    /** Found through ServiceLoader; reads {@code safety.*}. */
    public static final class Provider implements SafetyPolicyProvider {
        @Override
        public SafetyPolicy create(ProviderContext c) {
            return new AvailabilityPolicy();
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Verdict evaluate(ProposedAction action, SafetyContext context) {
        ClusterView view = context.cluster();
        ResourceRef t = action.target();
        List<String> problems = switch (action.actionType()) {
            case ActionTypes.RESTART_POD -> view.get(V1Pod.class, t.namespace(), t.name())
                    .map(p -> podDisruption(p, view)).orElse(List.of());
            case ActionTypes.DRAIN_NODE -> view.podsOnNode(t.name()).stream()
                    .filter(p -> Workloads.controllerOf(p.getMetadata()).map(o -> !"DaemonSet".equals(o.getKind())).orElse(false))
                    .flatMap(p -> podDisruption(p, view).stream()).toList();
            case ActionTypes.SCALE -> scaleDown(action, view);
            case ActionTypes.ROLLOUT_RESTART, ActionTypes.ROLLBACK_DEPLOYMENT, ActionTypes.ADJUST_RESOURCES ->
                    Workloads.cached(view, t).map(o -> allAtOnce(o, view)).orElse(List.of());
            default -> List.of();
        };
        return problems.isEmpty() ? Verdict.allow() : new Verdict.Deny(problems);
    }

    /** Why taking {@code pod} away now would cost availability; empty when it would not. */
    static List<String> podDisruption(V1Pod pod, ClusterView view) {
        if (!Workloads.podReady(pod)) return List.of();
        List<String> problems = new ArrayList<>();
        String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        Optional<V1OwnerReference> owner = Workloads.controllerOf(pod.getMetadata());
        if (owner.isPresent() && owner.get().getUid() != null) {
            long otherReady = view.ownedBy(V1Pod.class, owner.get().getUid()).stream()
                    .filter(p -> !p.getMetadata().getName().equals(pod.getMetadata().getName()))
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .filter(Workloads::podReady).count();
            if (otherReady == 0) {
                problems.add("pod " + key + " is the last ready replica of " + owner.get().getKind() + " " + owner.get().getName());
            }
        }
        for (V1PodDisruptionBudget pdb : view.list(V1PodDisruptionBudget.class, pod.getMetadata().getNamespace())) {
            if (pdb.getSpec() == null || !Workloads.matches(pdb.getSpec().getSelector(), Workloads.labels(pod))) continue;
            Integer allowed = pdb.getStatus() == null ? null : pdb.getStatus().getDisruptionsAllowed();
            if (allowed != null && allowed <= 0) {
                problems.add("PodDisruptionBudget " + pdb.getMetadata().getNamespace() + "/" + pdb.getMetadata().getName()
                        + " allows no disruption of " + key + " now");
            }
        }
        return problems;
    }

    private static List<String> scaleDown(ProposedAction action, ClusterView view) {
        if (!(action.parameters().get("replicas") instanceof Number n)) return List.of();
        int requested = n.intValue();
        Optional<KubernetesObject> o = Workloads.cached(view, action.target());
        if (o.isEmpty()) return List.of();
        Integer current = o.get() instanceof V1Deployment d && d.getSpec() != null ? d.getSpec().getReplicas()
                : o.get() instanceof V1StatefulSet s && s.getSpec() != null ? s.getSpec().getReplicas() : null;
        if (current != null && requested >= current) return List.of();
        List<String> problems = new ArrayList<>();
        if (requested < 1) problems.add("scaling " + action.target() + " to " + requested + " takes it down");
        var labels = Workloads.podTemplate(o.get()).map(t -> t.getMetadata() == null ? null : t.getMetadata().getLabels()).orElse(null);
        for (V1PodDisruptionBudget pdb : view.list(V1PodDisruptionBudget.class, action.target().namespace())) {
            if (pdb.getSpec() == null || !Workloads.matches(pdb.getSpec().getSelector(), labels)) continue;
            int min = minAvailable(pdb.getSpec().getMinAvailable(), current == null ? requested : current);
            if (requested < min) {
                problems.add("scaling " + action.target() + " to " + requested + " is below minAvailable=" + min
                        + " of PodDisruptionBudget " + pdb.getMetadata().getName());
            }
        }
        return problems;
    }

    static int minAvailable(IntOrString v, int replicas) {
        if (v == null) return 0;
        if (v.isInteger()) return v.getIntValue();
        String s = v.getStrValue().trim();
        if (s.endsWith("%")) {
            try {
                return (int) Math.ceil(replicas * Double.parseDouble(s.substring(0, s.length() - 1)) / 100.0);
            } catch (NumberFormatException e) {
                return replicas;
            }
        }
        return 0;
    }

    private static List<String> allAtOnce(KubernetesObject o, ClusterView view) {
        String uid = o.getMetadata().getUid();
        long ready = uid == null ? 0 : readyPodsOf(o, view);
        if (ready == 0) return List.of();
        String what = Workloads.ref(o).toString();
        if (o instanceof V1Deployment d && d.getSpec() != null && d.getSpec().getStrategy() != null
                && "Recreate".equals(d.getSpec().getStrategy().getType())) {
            return List.of(what + " uses the Recreate strategy: the change would stop its " + ready + " ready pod(s) at once");
        }
        if (o instanceof V1StatefulSet s && s.getSpec() != null && (s.getSpec().getReplicas() == null || s.getSpec().getReplicas() <= 1)) {
            return List.of(what + " has a single replica, which is ready: a rolling change would take it down");
        }
        return List.of();
    }

    private static long readyPodsOf(KubernetesObject o, ClusterView view) {
        String uid = o.getMetadata().getUid();
        if (o instanceof V1Deployment) {
            return view.ownedBy(io.kubernetes.client.openapi.models.V1ReplicaSet.class, uid).stream()
                    .flatMap(rs -> view.ownedBy(V1Pod.class, rs.getMetadata().getUid()).stream())
                    .filter(Workloads::podReady).count();
        }
        if (o instanceof V1StatefulSet || o instanceof V1DaemonSet) {
            return view.ownedBy(V1Pod.class, uid).stream().filter(Workloads::podReady).count();
        }
        return 0;
    }
}

package io.kubeincident.core.safety;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Verdict;
import io.kubeincident.core.action.ScaleAction;
import io.kubeincident.core.action.Workloads;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1StatefulSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Limits on what one action may change, whatever its confidence: the replica ceiling
 * ({@code safety.max_replicas}) and largest scale step ({@code safety.max_scale_factor}), the largest
 * resource raise ({@code safety.max_resource_factor}), and for nodes never the last schedulable one and
 * never more than {@code safety.max_nodes_draining} at once. Judged on the cluster view; the actions check
 * the same limits again against the live objects.
 */
public final class HardLimitsPolicy implements SafetyPolicy {

    public static final String ID = "hard-limits";

    /** Found through ServiceLoader; reads {@code safety.*}. */
    public static final class Provider implements SafetyPolicyProvider {
        @Override
        public SafetyPolicy create(ProviderContext c) {
            return new HardLimitsPolicy(SafetyConfig.from(c.config()));
        }
    }

    private final SafetyConfig config;

    public HardLimitsPolicy(SafetyConfig config) {
        this.config = config;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Verdict evaluate(ProposedAction action, SafetyContext context) {
        List<String> problems = switch (action.actionType()) {
            case ActionTypes.SCALE -> scale(action, context);
            case ActionTypes.ADJUST_RESOURCES -> resources(action);
            case ActionTypes.CORDON_NODE, ActionTypes.DRAIN_NODE -> nodes(action, context);
            default -> List.of();
        };
        return problems.isEmpty() ? Verdict.allow() : new Verdict.Deny(problems);
    }

    private List<String> scale(ProposedAction action, SafetyContext context) {
        Object raw = action.parameters().get("replicas");
        if (!(raw instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            return List.of("scale needs an integer replicas parameter, was " + raw);
        }
        long requested = n.longValue();
        ResourceRef target = action.target();
        Optional<KubernetesObject> live = Workloads.cached(context.cluster(), target);
        if (live.isEmpty()) {
            List<String> p = new ArrayList<>();
            if (requested > config.maxReplicas()) {
                p.add(requested + " replicas for " + target + " is above safety.max_replicas=" + config.maxReplicas());
            }
            if (requested < 1) p.add("scaling " + target + " to " + requested + " replicas would take it down");
            return p;
        }
        Integer current = null;
        if (live.get() instanceof V1Deployment d && d.getSpec() != null) current = d.getSpec().getReplicas();
        if (live.get() instanceof V1StatefulSet s && s.getSpec() != null) current = s.getSpec().getReplicas();
        return ScaleAction.limitProblems(config, target, current == null ? 1 : current, requested);
    }

    private List<String> resources(ProposedAction action) {
        Object raw = action.parameters().getOrDefault("factor", 1.5);
        if (!(raw instanceof Number n)) return List.of("adjust-resources factor must be a number, was " + raw);
        if (n.doubleValue() > config.maxResourceFactor() + 1e-9) {
            return List.of("factor " + n + " is above safety.max_resource_factor=" + config.maxResourceFactor());
        }
        return List.of();
    }

    private List<String> nodes(ProposedAction action, SafetyContext context) {
        List<V1Node> nodes = context.cluster().list(V1Node.class, null);
        if (nodes.isEmpty()) return List.of();  // not in the view; the action checks the live node list
        String name = action.target().name();
        Optional<V1Node> target = nodes.stream().filter(n -> name.equals(n.getMetadata().getName())).findFirst();
        if (target.isPresent() && !Workloads.nodeSchedulable(target.get())) return List.of();  // already out
        List<String> problems = new ArrayList<>();
        long otherSchedulable = nodes.stream().filter(n -> !name.equals(n.getMetadata().getName()))
                .filter(Workloads::nodeSchedulable).filter(Workloads::nodeReady).count();
        if (otherSchedulable == 0) problems.add("Node " + name + " is the last schedulable Ready node");
        long cordoned = nodes.stream().filter(n -> !name.equals(n.getMetadata().getName()))
                .filter(n -> !Workloads.nodeSchedulable(n)).count();
        if (cordoned >= config.maxNodesDraining()) {
            problems.add(cordoned + " other node(s) already cordoned or draining; safety.max_nodes_draining="
                    + config.maxNodesDraining());
        }
        return problems;
    }
}

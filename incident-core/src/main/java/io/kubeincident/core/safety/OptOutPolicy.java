package io.kubeincident.core.safety;

import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Verdict;
import io.kubeincident.core.action.Workloads;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Namespace;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Honours the opt-out label ({@code safety.opt_out_label}, default {@code kube-incident.io/ignore: "true"})
 * on the target's namespace, the incident's namespace, the target, anything in the target's owner chain and
 * the incident's root. Reads labels from the engine's cluster view: a namespace or object the view does not
 * hold cannot opt out (the allow says so).
 */
public final class OptOutPolicy implements SafetyPolicy {

    public static final String ID = "opt-out";

    /** Found through ServiceLoader; reads {@code safety.*}. */
    public static final class Provider implements SafetyPolicyProvider {
        @Override
        public SafetyPolicy create(ProviderContext c) {
            return new OptOutPolicy(SafetyConfig.from(c.config()));
        }
    }

    private final String label;

    public OptOutPolicy(String label) {
        this.label = label;
    }

    public OptOutPolicy(SafetyConfig config) {
        this(config.optOutLabel());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Verdict evaluate(ProposedAction action, SafetyContext context) {
        Set<String> namespaces = new LinkedHashSet<>();
        if (action.target().namespace() != null) namespaces.add(action.target().namespace());
        if (context.incident().namespace() != null) namespaces.add(context.incident().namespace());
        boolean unseen = false;
        for (String ns : namespaces) {
            Optional<V1Namespace> n = context.cluster().get(V1Namespace.class, null, ns);
            if (n.isEmpty()) {
                unseen = true;
                continue;
            }
            if (optedOut(n.get())) return Verdict.deny("namespace " + ns + " opted out with " + label + "=true");
        }
        Set<ResourceRef> refs = new LinkedHashSet<>(context.ownerChain(action.target()));
        refs.add(context.incident().rootResource());
        for (ResourceRef ref : refs) {
            Optional<KubernetesObject> o = Workloads.cached(context.cluster(), ref);
            if (o.isPresent() && optedOut(o.get())) return Verdict.deny(ref + " opted out with " + label + "=true");
        }
        return unseen ? Verdict.allow("namespace labels not in the cluster view; opt-out checked on the objects only")
                : Verdict.allow();
    }

    private boolean optedOut(KubernetesObject o) {
        return "true".equalsIgnoreCase(Workloads.labels(o).getOrDefault(label, "").trim());
    }
}

package io.kubeincident.core.safety;

import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.Verdict;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Never acts in an excluded namespace: {@code kube-system}, {@code kube-public}, {@code kube-node-lease}
 * (always), the runtime's own namespace ({@code runtime.namespace}) and {@code safety.excluded_namespaces}.
 * Both the target's namespace and the incident's are checked.
 */
public final class ExcludedNamespacesPolicy implements SafetyPolicy {

    public static final String ID = "excluded-namespaces";

    /** Found through ServiceLoader; reads {@code safety.*}. */
    public static final class Provider implements SafetyPolicyProvider {
        @Override
        public SafetyPolicy create(ProviderContext c) {
            return new ExcludedNamespacesPolicy(SafetyConfig.from(c.config()));
        }
    }

    private final Set<String> excluded;

    public ExcludedNamespacesPolicy(Collection<String> excluded) {
        Set<String> all = new TreeSet<>(SafetyConfig.SYSTEM_NAMESPACES);
        all.addAll(excluded);
        this.excluded = Set.copyOf(all);
    }

    public ExcludedNamespacesPolicy(SafetyConfig config) {
        this(config.excludedNamespaces());
    }

    @Override
    public String id() {
        return ID;
    }

    public Set<String> excluded() {
        return excluded;
    }

    @Override
    public Verdict evaluate(ProposedAction action, SafetyContext context) {
        String ns = action.target().namespace();
        if (ns != null && excluded.contains(ns)) {
            return Verdict.deny("namespace " + ns + " is excluded (safety.excluded_namespaces, system and runtime namespaces)");
        }
        String incidentNs = context.incident().namespace();
        if (incidentNs != null && excluded.contains(incidentNs)) {
            return Verdict.deny("the incident's namespace " + incidentNs + " is excluded (safety.excluded_namespaces)");
        }
        return Verdict.allow();
    }
}

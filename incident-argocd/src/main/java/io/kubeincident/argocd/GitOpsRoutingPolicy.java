package io.kubeincident.argocd;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Verdict;
import io.kubeincident.argocd.model.Application;
import io.kubeincident.spi.PlanRewriter;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.SafetyPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * GitOps-aware routing ({@code gitops-routing}): a live change to a resource that an Argo CD application
 * manages is reverted by self-heal (or by the next sync), so it is denied and, where there is one, the
 * Argo CD action is offered instead ({@link PlanRewriter}).
 *
 * <ul>
 *   <li>Denied on Argo-managed targets: {@code rollback-deployment}, {@code scale}, {@code patch-configmap},
 *       {@code patch-secret}, {@code adjust-resources}.</li>
 *   <li>{@code rollout-restart} is denied only while self-heal is on (or unknown): it changes the pod
 *       template, so self-heal would revert it and roll the pods a second time; with self-heal off it is
 *       what Argo CD's own "restart" resource action does, and the pods it gives are the point.</li>
 *   <li>{@code restart-pod} and everything else pass: deleting a pod changes no tracked manifest.</li>
 *   <li>Replacement: {@code rollback-deployment} becomes {@code argocd-rollback} on the same target; the
 *       others become {@code argocd-sync} when the application is OutOfSync (the live state drifted from
 *       Git), else stay denied: the fix belongs in Git.</li>
 *   <li>When it cannot tell whether the target is managed (not in the cluster view, nor its owners nor the
 *       incident's root), it asks for approval rather than guessing.</li>
 * </ul>
 * Answers from memory: the cluster view and the cached application list. Thread-safe.
 */
public final class GitOpsRoutingPolicy implements SafetyPolicy, PlanRewriter {
    public static final String ID = "gitops-routing";
    public static final String REASON = "self-heal would revert this; use argocd-rollback/argocd-sync";

    static final Set<String> ROUTED = Set.of(ActionTypes.ROLLBACK_DEPLOYMENT, ActionTypes.SCALE,
            ActionTypes.PATCH_CONFIGMAP, ActionTypes.PATCH_SECRET, ActionTypes.ADJUST_RESOURCES);

    private final ArgoCd argo;

    public GitOpsRoutingPolicy(ArgoCd argo) {
        this.argo = argo;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Verdict evaluate(ProposedAction action, SafetyContext context) {
        String type = action.actionType();
        boolean restart = ActionTypes.ROLLOUT_RESTART.equals(type);
        if (!ROUTED.contains(type) && !restart) return Verdict.allow();
        Managed m = managed(action.target(), context);
        if (m.app() == null) {
            if (m.known()) return Verdict.allow();
            return Verdict.requireApproval("cannot tell whether " + action.target() + " is managed by Argo CD (it is not "
                    + "in the cluster view); a live " + type + " would be reverted if it is");
        }
        Optional<Application> app = argo.apps().snapshot().find(m.app());
        Boolean selfHeal = app.map(Application::selfHeal).orElse(null);
        if (restart && Boolean.FALSE.equals(selfHeal)) {
            return Verdict.allow(action.target() + " is managed by Argo CD application '" + m.app()
                    + "' with self-heal off: rollout-restart allowed (Argo CD's own restart does the same)");
        }
        String state = selfHeal == null ? "" : Boolean.TRUE.equals(selfHeal) ? " with self-heal on"
                : " (self-heal is off, but the next sync reverts it just the same)";
        return Verdict.deny(action.target() + " is managed by Argo CD application '" + m.app() + "'"
                + (m.via() != null && !m.via().sameTarget(action.target()) ? " through " + m.via() : "") + state
                + ": " + REASON);
    }

    @Override
    public Optional<ProposedAction> rewrite(ProposedAction denied, SafetyContext context) {
        String type = denied.actionType();
        if (!ROUTED.contains(type) && !ActionTypes.ROLLOUT_RESTART.equals(type)) return Optional.empty();
        Managed m = managed(denied.target(), context);
        if (m.app() == null) return Optional.empty();
        String replacement;
        if (ActionTypes.ROLLBACK_DEPLOYMENT.equals(type)) {
            replacement = ActionTypes.ARGOCD_ROLLBACK;
        } else if (!ActionTypes.ROLLOUT_RESTART.equals(type) && argo.apps().snapshot().find(m.app())
                .map(a -> "OutOfSync".equals(a.syncStatus())).orElse(false)) {
            replacement = ActionTypes.ARGOCD_SYNC;
        } else {
            return Optional.empty();
        }
        if (context.action(replacement).isEmpty()) return Optional.empty();
        return Optional.of(new ProposedAction(replacement, denied.target(), Map.of(), denied.confidence(),
                "routed through Argo CD by " + ID + " instead of " + type + " (" + REASON + ")"
                        + (denied.rationale().isEmpty() ? "" : ": " + denied.rationale())));
    }

    private record Managed(AppRef app, ResourceRef via, boolean known) {
    }

    /**
     * Whether {@code target} is managed: itself or its owner chain; for a ConfigMap or Secret the cluster
     * view may not hold (Secrets are not cached), the incident's root workload decides.
     */
    private Managed managed(ResourceRef target, SafetyContext context) {
        List<ResourceRef> chain = new ArrayList<>();
        chain.add(target);
        try {
            for (ResourceRef r : context.ownerChain(target)) {
                if (!r.sameTarget(target)) chain.add(r);
            }
        } catch (RuntimeException e) {
            // the resolver walks owner references itself
        }
        boolean known = false;
        for (ResourceRef r : chain) {
            AppResolver.Resolution res = argo.resolver().resolve(r, context.cluster());
            if (res.managed()) return new Managed(res.app(), res.via(), true);
            known |= res.known();
        }
        if (!known) {
            ResourceRef root = context.incident().rootResource();
            if (!root.sameTarget(target)) {
                AppResolver.Resolution res = argo.resolver().resolve(root, context.cluster());
                if (res.managed()) return new Managed(res.app(), res.via(), true);
            }
        }
        return new Managed(null, null, known);
    }
}

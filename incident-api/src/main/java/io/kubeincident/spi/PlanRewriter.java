package io.kubeincident.spi;

import io.kubeincident.api.ProposedAction;

import java.util.Optional;

/**
 * Optional mix-in for a {@link SafetyPolicy} that, besides denying a plan, knows the action that should be
 * used instead: for a Deployment managed by Argo CD, {@code argocd-rollback} instead of a live
 * {@code rollback-deployment} that self-heal would revert. Checked by {@code instanceof}.
 *
 * <p>Contract:
 * <ul>
 *   <li>The engine asks only for plans this policy denied, after the whole chain ran.</li>
 *   <li>A replacement is a registered action type on a resource of the same incident (the engine checks
 *       both, and drops a replacement that fails them). The engine validates it against its schema, runs it
 *       through the whole safety chain again (this policy included) and rewrites at most once per plan:
 *       replacements are not rewritten again.</li>
 *   <li>The denied original and its replacement are both audited, the replacement with this policy's id.</li>
 *   <li>Same rules as {@link SafetyPolicy#evaluate}: thread-safe, fast, no API calls, no side effects. A
 *       thrown exception means no replacement.</li>
 * </ul>
 */
public interface PlanRewriter {

    /** The action to plan instead of {@code denied}, or empty to leave the deny as it is. */
    Optional<ProposedAction> rewrite(ProposedAction denied, SafetyContext context);
}

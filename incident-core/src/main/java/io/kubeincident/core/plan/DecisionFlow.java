package io.kubeincident.core.plan;

import io.kubeincident.api.Decision;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Incident;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Verdict;
import io.kubeincident.core.config.EngineConfig;
import io.kubeincident.core.config.Mode;
import io.kubeincident.spi.PlanRewriter;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.SafetyPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Turns a diagnosis's proposals into planned actions: the engine's own checks first (registered type,
 * accepted target kind, parameters valid against the schema, target inside the blast radius), then
 * every safety policy (most restrictive wins; a throwing policy denies), then the thresholds and mode
 * of DESIGN.md's decision flow. A plan denied by a policy that is also a {@link PlanRewriter} may be
 * followed by that policy's replacement, which goes through every check again.
 */
public final class DecisionFlow {
    private final EngineConfig config;
    private final Map<String, RemediationAction> actions;
    private final List<SafetyPolicy> policies;
    private final ParameterValidator validator = new ParameterValidator();
    private final java.util.function.BiFunction<Incident, ProposedAction, ProposedAction> confidenceAdjuster;
    private final Preconditions preconditions;

    /**
     * The action's own check against the live objects ({@code RemediationAction.validate}), asked at planning
     * for every step that would run or wait for approval, so that a plan and its execution are judged the same
     * way. Only definitive refusals (problems starting with {@code refused}) deny at planning; a check that
     * could not be made is left to execution time.
     */
    @FunctionalInterface
    public interface Preconditions {
        List<String> check(Incident incident, ProposedAction action);
    }

    public DecisionFlow(EngineConfig config, Map<String, RemediationAction> actions, List<SafetyPolicy> policies,
                        UnaryOperator<ProposedAction> confidenceAdjuster) {
        this(confidenceAdjuster == null ? null : (i, p) -> confidenceAdjuster.apply(p), config, actions, policies);
    }

    /** With an adjuster that also sees the incident (the outcome history's success rates on its workload). */
    public static DecisionFlow withAdjuster(EngineConfig config, Map<String, RemediationAction> actions,
                                            List<SafetyPolicy> policies,
                                            java.util.function.BiFunction<Incident, ProposedAction, ProposedAction> adjuster) {
        return new DecisionFlow(adjuster, config, actions, policies);
    }

    private DecisionFlow(java.util.function.BiFunction<Incident, ProposedAction, ProposedAction> confidenceAdjuster,
                         EngineConfig config, Map<String, RemediationAction> actions, List<SafetyPolicy> policies) {
        this(confidenceAdjuster, config, actions, policies, null);
    }

    private DecisionFlow(java.util.function.BiFunction<Incident, ProposedAction, ProposedAction> confidenceAdjuster,
                         EngineConfig config, Map<String, RemediationAction> actions, List<SafetyPolicy> policies,
                         Preconditions preconditions) {
        this.config = config;
        this.actions = Map.copyOf(actions);
        this.policies = List.copyOf(policies);
        this.confidenceAdjuster = confidenceAdjuster == null ? (i, p) -> p : confidenceAdjuster;
        this.preconditions = preconditions;
    }

    /** This flow, also asking {@code check} before a step is planned to run or wait for approval. */
    public DecisionFlow withPreconditions(Preconditions check) {
        return new DecisionFlow(confidenceAdjuster, config, actions, policies, check);
    }

    public List<PlannedAction> plan(Incident incident, Diagnosis diagnosis, SafetyContext context) {
        Set<ResourceRef> radius = BlastRadius.of(incident, context.cluster());
        List<PlannedAction> out = new ArrayList<>();
        for (ProposedAction proposed : diagnosis.actions()) {
            PlannedAction planned = decide(confidenceAdjuster.apply(incident, proposed), radius, context, true);
            out.add(planned);
            if (planned.decision() == Decision.DENIED && planned.verdict() instanceof Verdict.Deny) {
                rewrite(planned, context).ifPresent(r -> out.add(decide(r, radius, context, false)));
            }
        }
        return out;
    }

    /**
     * The replacement a denying {@link PlanRewriter} policy offers (Argo CD rollback instead of a live one),
     * asked once per denied plan; replacements are never rewritten again.
     */
    private java.util.Optional<ProposedAction> rewrite(PlannedAction denied, SafetyContext ctx) {
        for (SafetyPolicy policy : policies) {
            if (!(policy instanceof PlanRewriter rewriter)) continue;
            boolean deniedByIt = denied.verdict().reasons().stream().anyMatch(r -> r.startsWith(policy.id() + ":"));
            if (!deniedByIt) continue;
            try {
                java.util.Optional<ProposedAction> r = rewriter.rewrite(denied.action(), ctx);
                if (r != null && r.isPresent()) return r;
            } catch (RuntimeException e) {
                // A failing rewriter offers no replacement; the deny stands.
            }
        }
        return java.util.Optional.empty();
    }

    private PlannedAction decide(ProposedAction p, Set<ResourceRef> radius, SafetyContext ctx, boolean original) {
        List<String> engineProblems = engineChecks(p, radius);
        if (!engineProblems.isEmpty()) {
            Verdict deny = new Verdict.Deny(engineProblems);
            return new PlannedAction(p, deny, Decision.DENIED, engineProblems);
        }
        List<Verdict> verdicts = new ArrayList<>();
        for (SafetyPolicy policy : policies) {
            try {
                Verdict v = policy.evaluate(p, ctx);
                verdicts.add(v == null ? Verdict.deny(policy.id() + ": returned no verdict") : prefixed(policy.id(), v));
            } catch (RuntimeException e) {
                verdicts.add(Verdict.deny(policy.id() + ": failed (" + e + "), denying to stay safe"));
            }
        }
        Verdict verdict = Verdict.mostRestrictive(verdicts);
        List<String> reasons = new ArrayList<>(verdict.reasons());
        if (!original) reasons.add(0, "replacement offered by a policy for a denied plan");
        Decision decision;
        if (verdict.isDeny()) {
            decision = Decision.DENIED;
        } else if (config.mode() == Mode.APPROVAL) {
            decision = Decision.APPROVAL;
            reasons.add("remediation.mode is approval: nothing runs without approval");
        } else if (p.confidence() < config.approvalThreshold()) {
            decision = Decision.LOG_ONLY;
            reasons.add(String.format("confidence %.2f is below monitoring.approval_threshold %.2f: log and monitor only",
                    p.confidence(), config.approvalThreshold()));
        } else if (p.confidence() < config.confidenceThreshold()) {
            decision = Decision.APPROVAL;
            reasons.add(String.format("confidence %.2f is below monitoring.confidence_threshold %.2f: needs approval",
                    p.confidence(), config.confidenceThreshold()));
        } else if (verdict instanceof Verdict.RequireApproval) {
            decision = Decision.APPROVAL;
        } else {
            decision = Decision.EXECUTE;
            reasons.add(String.format("confidence %.2f ≥ monitoring.confidence_threshold %.2f",
                    p.confidence(), config.confidenceThreshold()));
            if (config.mode() == Mode.DRY_RUN) reasons.add("remediation.mode is dry-run: checked, nothing changes");
        }
        if (preconditions != null && (decision == Decision.EXECUTE || decision == Decision.APPROVAL)) {
            List<String> refused = refusals(ctx.incident(), p);
            if (!refused.isEmpty()) {
                return new PlannedAction(p, new Verdict.Deny(refused), Decision.DENIED, refused);
            }
        }
        return new PlannedAction(p, verdict, decision, reasons);
    }

    private List<String> refusals(Incident incident, ProposedAction p) {
        List<String> out = new ArrayList<>();
        try {
            List<String> problems = preconditions.check(incident, p);
            if (problems != null) {
                for (String problem : problems) {
                    if (problem != null && problem.startsWith("refused")) out.add("precondition: " + problem);
                }
            }
        } catch (RuntimeException e) {
            // a check that cannot be made is left to execution time, which checks again
        }
        return out;
    }

    private List<String> engineChecks(ProposedAction p, Set<ResourceRef> radius) {
        RemediationAction action = actions.get(p.actionType());
        if (action == null) {
            return List.of("unknown action type '" + p.actionType() + "': not registered");
        }
        List<String> problems = new ArrayList<>();
        if (!action.targetKinds().contains(p.target().kind())) {
            problems.add(p.actionType() + " does not act on kind " + p.target().kind() + " (accepts "
                    + action.targetKinds() + ")");
        }
        problems.addAll(validator.validate(action.id(), action.parametersSchema(), p.parameters()));
        if (!BlastRadius.contains(radius, p.target())) {
            problems.add("target " + p.target() + " is outside the incident's blast radius (its resources, owner "
                    + "chain and node)");
        }
        return problems;
    }

    private static Verdict prefixed(String policyId, Verdict v) {
        if (v.reasons().isEmpty()) return v;
        List<String> reasons = v.reasons().stream().map(r -> r.startsWith(policyId + ":") ? r : policyId + ": " + r)
                .toList();
        if (v instanceof Verdict.Deny) return new Verdict.Deny(reasons);
        if (v instanceof Verdict.RequireApproval) return new Verdict.RequireApproval(reasons);
        return new Verdict.Allow(reasons);
    }
}

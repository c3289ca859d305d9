package io.kubeincident.core.safety;

import io.kubeincident.api.AnalysisProvenance;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.Verdict;
import io.kubeincident.core.evidence.InstructionLikeText;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A generative analyzer's proposal (an LLM, which reads text anyone with write access to the cluster can
 * plant) runs without a human only when the engine's own judgement agrees; otherwise it needs approval, with
 * "not corroborated" and the reason in the verdict. The model's self-reported confidence never decides alone.
 *
 * <p>Corroborated means the engine's independent analysis of the same request (the analyzers that are not
 * generative, usually the rules) proposes the same action type
 * <ul>
 *   <li>on the same target, with a confidence of its own at or above {@code monitoring.confidence_threshold}, or</li>
 *   <li>on a target of the same incident, having diagnosed the same category, with that confidence too (the
 *       incident type allows this action for this category and the evidence supports it).</li>
 * </ul>
 * When the evidence holds text addressed to an operator or an AI ({@link InstructionLikeText}), nothing a
 * generative analyzer proposes for that incident runs unattended, corroborated or not.
 *
 * <p>{@code safety.model_proposals}: {@code corroborated} (default) or {@code approval} (a generative
 * analyzer's proposals always need approval). There is no setting that turns the check off. Proposals of
 * analyzers that are not generative, and actions judged outside an analysis (approved ones), pass.
 */
public final class CorroborationPolicy implements SafetyPolicy {

    public static final String ID = "corroboration";
    public static final String NOT_CORROBORATED = "not corroborated";

    /** How far a generative analyzer's proposals may go on their own. */
    public enum ModelProposals {
        /** Execute only when corroborated (default). */
        CORROBORATED,
        /** Never execute without approval (stricter). */
        APPROVAL;

        static ModelProposals parse(String raw) {
            if (raw == null || raw.isBlank()) return CORROBORATED;
            return switch (raw.trim().toLowerCase(Locale.ROOT)) {
                case "corroborated" -> CORROBORATED;
                case "approval" -> APPROVAL;
                default -> throw new IllegalArgumentException("safety.model_proposals must be corroborated or approval "
                        + "(there is no setting that lets a model's proposals run on their own), was " + raw);
            };
        }
    }

    /** Found through ServiceLoader; reads {@code safety.model_proposals} and {@code monitoring.confidence_threshold}. */
    public static final class Provider implements SafetyPolicyProvider {
        @Override
        public SafetyPolicy create(ProviderContext c) {
            return CorroborationPolicy.from(c.config());
        }
    }

    private final ModelProposals mode;
    private final double executeThreshold;

    public CorroborationPolicy(ModelProposals mode, double executeThreshold) {
        this.mode = mode == null ? ModelProposals.CORROBORATED : mode;
        this.executeThreshold = executeThreshold;
    }

    /** Throws {@link IllegalArgumentException} for a value of {@code safety.model_proposals} other than the two. */
    public static CorroborationPolicy from(ConfigView config) {
        return new CorroborationPolicy(ModelProposals.parse(config.getString("safety.model_proposals", null)),
                config.getDouble("monitoring.confidence_threshold", 0.8));
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Verdict evaluate(ProposedAction action, SafetyContext context) {
        Optional<AnalysisProvenance> provenance = context.provenance();
        if (provenance.isEmpty() || !provenance.get().generative()) return Verdict.allow();
        AnalysisProvenance p = provenance.get();
        String signal = p.evidence().fact(InstructionLikeText.FACT);
        if (signal != null) {
            return Verdict.requireApproval(NOT_CORROBORATED + ": the evidence holds text addressed to an operator or an AI ("
                    + signal + "), so no proposal of " + p.diagnosis().analyzerId() + " runs unattended for this incident");
        }
        if (mode == ModelProposals.APPROVAL) {
            return Verdict.requireApproval("safety.model_proposals is approval: proposals of " + p.diagnosis().analyzerId()
                    + " always need approval");
        }
        Optional<Diagnosis> second = p.independent();
        if (second.isEmpty()) {
            return Verdict.requireApproval(NOT_CORROBORATED + ": no independent analysis of this incident to compare "
                    + p.diagnosis().analyzerId() + "'s proposal with");
        }
        Diagnosis d = second.get();
        Optional<ProposedAction> same = d.actions().stream()
                .filter(a -> a.actionType().equals(action.actionType()) && a.target().sameTarget(action.target())).findFirst();
        if (same.isPresent()) return confident(same.get(), d, "proposes " + action.actionType() + " on " + action.target().key()
                + " too");
        if (d.category().equals(p.diagnosis().category())) {
            Optional<ProposedAction> sameType = d.actions().stream()
                    .filter(a -> a.actionType().equals(action.actionType())).findFirst();
            if (sameType.isPresent()) {
                return confident(sameType.get(), d, "diagnoses the same category " + d.category() + " and proposes "
                        + action.actionType() + " for this incident");
            }
        }
        List<String> theirs = d.actions().stream().map(a -> a.actionType() + " on " + a.target().key()).toList();
        return Verdict.requireApproval(NOT_CORROBORATED + ": the independent analysis (" + d.analyzerId() + ", category "
                + d.category() + ") proposes " + (theirs.isEmpty() ? "no action" : String.join(", ", theirs)) + ", not "
                + action.actionType() + " on " + action.target().key());
    }

    private Verdict confident(ProposedAction theirs, Diagnosis d, String what) {
        if (theirs.confidence() < executeThreshold) {
            return Verdict.requireApproval(String.format(Locale.ROOT, "%s: %s %s, but only at confidence %.2f, below "
                    + "monitoring.confidence_threshold %.2f", NOT_CORROBORATED, d.analyzerId(), what, theirs.confidence(),
                    executeThreshold));
        }
        return Verdict.allow("corroborated: " + d.analyzerId() + " " + what);
    }
}

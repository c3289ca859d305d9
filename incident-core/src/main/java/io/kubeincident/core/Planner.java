package io.kubeincident.core;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.core.analyze.AnalyzerChain;
import io.kubeincident.core.audit.AuditTrail;
import io.kubeincident.core.evidence.EvidenceGatherer;
import io.kubeincident.api.Redactor;
import io.kubeincident.api.AnalysisProvenance;
import io.kubeincident.core.evidence.InstructionLikeText;
import io.kubeincident.core.learn.OutcomeLearning;
import io.kubeincident.core.plan.DecisionFlow;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.EvidenceContributor;
import io.kubeincident.spi.SafetyContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One incident from evidence to a decided plan: gather evidence (engine's own, then contributors' facts,
 * then outcome-history knowledge), ask the analyzer chain, run the decision flow, audit each decision.
 * Every step is isolated: a failure is recorded in the report's {@code problems} (and the audit) and the
 * next step goes on with what there is, so one incident's trouble stays its own. Never throws; executes
 * nothing. Thread-safe (stateless apart from its collaborators).
 */
final class Planner {

    private final EvidenceGatherer gatherer;
    private final List<EvidenceContributor> contributors;
    private final OutcomeLearning learning;
    private final AnalyzerChain analyzers;
    private final DecisionFlow adjusted;
    private final DecisionFlow unadjusted;
    private final List<ActionDescriptor> descriptors;
    private final InstructionLikeText instructionLikeText;
    private final AuditTrail audit;

    Planner(EvidenceGatherer gatherer, List<EvidenceContributor> contributors, OutcomeLearning learning,
            AnalyzerChain analyzers, DecisionFlow adjusted, DecisionFlow unadjusted, List<ActionDescriptor> descriptors,
            AuditTrail audit) {
        this.gatherer = gatherer;
        this.contributors = List.copyOf(contributors);
        this.learning = learning;
        this.analyzers = analyzers;
        this.adjusted = adjusted;
        this.unadjusted = unadjusted;
        this.descriptors = List.copyOf(descriptors);
        this.instructionLikeText = new InstructionLikeText(descriptors.stream().map(ActionDescriptor::id).toList());
        this.audit = audit;
    }

    /**
     * @param safety the safety context for this incident and view (how policies see the cluster now), given what
     *               the analysis was based on and the engine's own second opinion
     */
    IncidentReport plan(Incident incident, ClusterView view, Function<Optional<AnalysisProvenance>, SafetyContext> safety,
                        boolean dryRun) {
        List<String> problems = new ArrayList<>();
        Evidence evidence = evidence(incident, view, problems);
        AnalysisRequest request = new AnalysisRequest(incident, evidence, descriptors);
        AnalyzerChain.Result analysis = analyzers.analyze(incident.id(), request);
        analysis.fallbacks().forEach(f -> problems.add("analysis: " + f));
        Diagnosis diagnosis = analysis.diagnosis();
        AnalysisProvenance provenance = corroborate(incident, request, diagnosis);
        boolean weighed = "applied".equals(diagnosis.attributes().get(IncidentEngine.OUTCOME_HISTORY_APPLIED));
        List<PlannedAction> plan;
        try {
            plan = (weighed ? unadjusted : adjusted).plan(incident, diagnosis, safety.apply(Optional.of(provenance)));
        } catch (RuntimeException e) {
            plan = List.of();
            problems.add("plan: failed, nothing planned: " + Redactor.redact(e.toString()));
        }
        for (PlannedAction pa : plan) {
            audit.write(incident.id(), "decision", AuditTrail.fields()
                    .put("action", pa.action().actionType()).put("resource", pa.action().target().key())
                    .put("confidence", pa.action().confidence()).put("verdict", IncidentEngine.verdictName(pa))
                    .put("decision", pa.decision().id()).put("reasons", pa.reasons())
                    .put("dry_run", dryRun).put("reasoning", pa.action().rationale()).map());
        }
        if (!problems.isEmpty()) {
            audit.write(incident.id(), "incomplete", AuditTrail.fields().put("resource", incident.rootResource().key())
                    .put("problems", problems).map());
        }
        return new IncidentReport(incident, evidence, diagnosis, plan, problems);
    }

    /**
     * Corroboration: when the diagnosis came from a generative analyzer (an LLM), the analyzers that are not
     * generative answer the same request too, and their diagnosis goes to the safety policies as the second opinion
     * ({@code CorroborationPolicy}). Audits the second opinion and any instruction-like text in the evidence.
     */
    private AnalysisProvenance corroborate(Incident incident, AnalysisRequest request, Diagnosis diagnosis) {
        Evidence evidence = request.evidence();
        String signal = evidence.fact(InstructionLikeText.FACT);
        if (signal != null) {
            audit.write(incident.id(), "instruction-like-text", AuditTrail.fields().put("where", signal)
                    .put("message", "text addressed to an operator or an AI in the evidence: proposals of a generative "
                            + "analyzer for this incident need approval").map());
        }
        if (!analyzers.generative(diagnosis)) return new AnalysisProvenance(evidence, diagnosis, false, null);
        Diagnosis second = analyzers.secondOpinion(request, diagnosis);
        audit.write(incident.id(), "corroboration", AuditTrail.fields().put("analyzer", diagnosis.analyzerId())
                .put("independent_analyzer", second == null ? null : second.analyzerId())
                .put("independent_category", second == null ? null : second.category())
                .put("independent_proposals", second == null ? List.of() : second.actions().stream()
                        .map(a -> a.actionType() + " " + a.target().key()).toList()).map());
        return new AnalysisProvenance(evidence, diagnosis, true, second);
    }

    private Evidence evidence(Incident incident, ClusterView view, List<String> problems) {
        Evidence evidence;
        try {
            EvidenceGatherer.Gathered g = gatherer.gather(incident, view);
            g.missing().forEach(m -> problems.add("evidence: " + m));
            evidence = g.evidence();
        } catch (RuntimeException e) {
            problems.add("evidence: gathering failed: " + Redactor.redact(e.toString()));
            evidence = Evidence.empty();
        }
        return instructionLikeText.mark(incident, withKnowledge(incident, contribute(incident, evidence, view, problems), problems));
    }

    /** Facts from evidence contributors (Argo CD, ...), redacted; the engine's own facts win on a collision. */
    private Evidence contribute(Incident incident, Evidence evidence, ClusterView view, List<String> problems) {
        if (contributors.isEmpty()) return evidence;
        Map<String, String> facts = new LinkedHashMap<>();
        for (EvidenceContributor c : contributors) {
            try {
                Map<String, String> more = c.facts(incident, view);
                if (more != null) more.forEach((k, v) -> {
                    if (k != null && v != null) facts.putIfAbsent(k, Redactor.redact(v));
                });
            } catch (RuntimeException e) {
                String message = Redactor.redact(e.toString());
                problems.add("evidence: contributor " + c.id() + " failed: " + message);
                audit.write(incident.id(), "provider-error", AuditTrail.fields().put("contributor", c.id())
                        .put("message", message).map());
            }
        }
        facts.putAll(evidence.facts());
        return new Evidence(evidence.events(), evidence.logs(), evidence.ownerChain(), evidence.rolloutHistory(), facts,
                evidence.knowledge());
    }

    /** What the outcome history says about this workload, as knowledge lines for analyzers. */
    private Evidence withKnowledge(Incident incident, Evidence evidence, List<String> problems) {
        List<String> lines;
        try {
            lines = learning.knowledge(incident, 5);
        } catch (RuntimeException e) {
            problems.add("evidence: outcome history unreadable: " + Redactor.redact(e.toString()));
            return evidence;
        }
        if (lines.isEmpty()) return evidence;
        List<String> knowledge = new ArrayList<>(evidence.knowledge());
        lines.stream().filter(l -> !knowledge.contains(l)).forEach(knowledge::add);
        return new Evidence(evidence.events(), evidence.logs(), evidence.ownerChain(), evidence.rolloutHistory(),
                evidence.facts(), knowledge);
    }

}

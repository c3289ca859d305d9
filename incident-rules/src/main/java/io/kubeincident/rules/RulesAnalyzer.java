package io.kubeincident.rules;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.RolloutRevision;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.OutcomeHistory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The rule-based analyzer: matches the incident and its evidence against the {@link KnowledgeBase} and
 * answers with the first matching rule's diagnosis (rules are tried by priority, then specificity).
 * Actions are kept only when the action is available, its symbolic target resolves to a resource of
 * the incident that the action accepts, its parameters can be filled from the facts, and the outcome
 * history does not say it keeps failing; every dropped action is explained in the reasoning.
 *
 * <p>Pure and thread-safe: no I/O during {@link #analyze}; the knowledge base is immutable.
 */
public final class RulesAnalyzer implements Analyzer {

    public static final String ID = "rules";

    /** Findings of one incident looked at per rule (a storm of 100 pods shares one cause). */
    private static final int MAX_FINDINGS = 50;
    private static final int MAX_ALSO_MATCHED = 5;
    private static final Set<String> WORKLOAD_KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
            "Job", "CronJob");

    private final KnowledgeBase knowledgeBase;
    private final OutcomeAdjuster adjuster;
    private final RulesConfig config;

    public RulesAnalyzer(KnowledgeBase knowledgeBase, OutcomeHistory history, RulesConfig config) {
        this.knowledgeBase = Objects.requireNonNull(knowledgeBase, "knowledgeBase");
        this.adjuster = new OutcomeAdjuster(history);
        this.config = config == null ? RulesConfig.defaults() : config;
    }

    /** Bundled rules, no outcome history, default settings. */
    public RulesAnalyzer() {
        this(KnowledgeBase.bundled(), OutcomeHistory.none(), RulesConfig.defaults());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return 0;
    }

    public KnowledgeBase knowledgeBase() {
        return knowledgeBase;
    }

    @Override
    public AnalysisOutcome analyze(AnalysisRequest request) {
        try {
            return analyzeOrThrow(request);
        } catch (RuntimeException e) {
            // A rule or a fact we did not foresee must not take the fallback analyzer down with it.
            return AnalysisOutcome.failed("rules analyzer error: " + e, Map.of("exception", e.getClass().getName()));
        }
    }

    private AnalysisOutcome analyzeOrThrow(AnalysisRequest request) {
        Incident incident = request.incident();
        Evidence evidence = request.evidence();
        Map<String, String> base = baseVars(incident, evidence);
        List<Finding> findings = findingsOf(incident);
        List<Map<String, String>> varsPerFinding = new ArrayList<>(findings.size());
        for (Finding f : findings) varsPerFinding.add(findingVars(base, f));

        Rule winner = null;
        Matched winning = null;
        for (Rule rule : knowledgeBase.candidates(incident.type())) {
            Matched ctx = firstMatch(rule.when(), incident, evidence, findings, varsPerFinding);
            if (ctx != null) {
                winner = rule;
                winning = ctx;
                break;
            }
        }
        if (winner == null) {
            return AnalysisOutcome.declined("no rule matches incident type " + incident.type());
        }
        List<String> also = new ArrayList<>();
        boolean after = false;
        for (Rule rule : knowledgeBase.candidates(incident.type())) {
            if (rule == winner) {
                after = true;
                continue;
            }
            if (!after || also.size() == MAX_ALSO_MATCHED) continue;
            MatchContext ctx = new MatchContext(incident, evidence, winning.finding, winning.varsAtStart);
            if (matchesAll(rule.when(), ctx)) also.add(rule.id());
        }
        return AnalysisOutcome.diagnosed(diagnose(request, winner, winning, also));
    }

    private static List<Finding> findingsOf(Incident incident) {
        List<Finding> same = new ArrayList<>();
        for (Finding f : incident.findings()) {
            if (f.incidentType().equals(incident.type())) same.add(f);
        }
        List<Finding> chosen = same.isEmpty() ? new ArrayList<>(incident.findings()) : same;
        if (chosen.size() > MAX_FINDINGS) chosen = chosen.subList(0, MAX_FINDINGS);
        if (chosen.isEmpty()) chosen.add(null);
        return chosen;
    }

    /** The first finding the rule matches; the context holds its variables and the matched conditions. */
    private static Matched firstMatch(List<Condition> when, Incident incident, Evidence evidence, List<Finding> findings,
                                      List<Map<String, String>> varsPerFinding) {
        for (int i = 0; i < findings.size(); i++) {
            Matched ctx = new Matched(incident, evidence, findings.get(i), varsPerFinding.get(i));
            if (matchesAll(when, ctx)) return ctx;
        }
        return null;
    }

    private static boolean matchesAll(List<Condition> when, MatchContext ctx) {
        for (Condition c : when) {
            if (!c.test(ctx)) return false;
        }
        return true;
    }

    /** A match that remembers the variables it started from, to test other rules on the same finding. */
    private static final class Matched extends MatchContext {
        final Map<String, String> varsAtStart;

        Matched(Incident incident, Evidence evidence, Finding finding, Map<String, String> vars) {
            super(incident, evidence, finding, vars);
            this.varsAtStart = vars;
        }
    }

    // ---- variables ---------------------------------------------------------------------------

    private Map<String, String> baseVars(Incident incident, Evidence evidence) {
        Map<String, String> v = new LinkedHashMap<>();
        ResourceRef root = incident.rootResource();
        v.put("incidentType", incident.type());
        v.put("severity", incident.severity().name());
        v.put("root", human(root));
        v.put("rootKind", root.kind());
        v.put("rootName", root.name());
        if (root.namespace() != null) v.put("namespace", root.namespace());
        if (root.kind().equals("Node")) v.put("node", root.name());
        v.put("findingCount", Integer.toString(incident.findings().size()));
        v.put("podCount", Integer.toString(count(incident, "Pod")));
        deriveRollout(incident, evidence, v);
        v.putAll(evidence.facts());
        return v;
    }

    private static Map<String, String> findingVars(Map<String, String> base, Finding f) {
        Map<String, String> v = new LinkedHashMap<>(base);
        if (f == null) return v;
        ResourceRef r = f.resource();
        v.put("resource", human(r));
        v.put("resourceKind", r.kind());
        v.put("resourceName", r.name());
        if (r.kind().equals("Pod")) v.put("pod", r.name());
        if (r.kind().equals("Node")) v.put("node", r.name());
        if (!f.message().isEmpty()) v.put("findingMessage", f.message());
        v.putAll(f.facts());
        if (!v.containsKey("node") && f.fact("nodeName") != null) v.put("node", f.fact("nodeName"));
        return v;
    }

    /**
     * Rollout facts from the revision history, for evidence that does not state them. A previous revision
     * with ready pods still serving is healthy; without that we leave health unknown rather than guess.
     */
    private void deriveRollout(Incident incident, Evidence evidence, Map<String, String> v) {
        List<RolloutRevision> history = evidence.rolloutHistory();
        if (history.isEmpty()) return;
        RolloutRevision current = history.stream().filter(RolloutRevision::current).findFirst().orElse(history.get(0));
        RolloutRevision previous = null;
        for (RolloutRevision r : history) {
            if (r.revision() < current.revision() && (previous == null || r.revision() > previous.revision())) previous = r;
        }
        v.put("currentRevision", Long.toString(current.revision()));
        if (!current.images().isEmpty()) v.put("currentImage", String.join(", ", current.images()));
        if (previous != null) {
            v.put("previousRevision", Long.toString(previous.revision()));
            if (!previous.images().isEmpty()) v.put("previousImage", String.join(", ", previous.images()));
            if (previous.readyReplicas() > 0) v.put("previousRevisionHealthy", "true");
        }
        if (current.createdAt() != null) {
            long minutes = Math.max(0, Duration.between(current.createdAt(), incident.openedAt()).toMinutes());
            v.put("minutesSinceRollout", Long.toString(minutes));
            boolean recent = previous != null && minutes <= config.recentRolloutWindow().toMinutes();
            v.put("rolloutRecent", Boolean.toString(recent));
        }
    }

    private static int count(Incident incident, String kind) {
        Set<String> keys = new HashSet<>();
        if (incident.rootResource().kind().equals(kind)) keys.add(incident.rootResource().key());
        for (ResourceRef r : incident.resources()) {
            if (r.kind().equals(kind)) keys.add(r.key());
        }
        return keys.size();
    }

    static String human(ResourceRef r) {
        return r.kind() + " " + (r.namespace() == null ? "" : r.namespace() + "/") + r.name();
    }

    // ---- diagnosis ---------------------------------------------------------------------------

    private Diagnosis diagnose(AnalysisRequest request, Rule rule, MatchContext ctx, List<String> also) {
        Incident incident = request.incident();
        Template.Env env = new Template.Env(ctx.vars, config.maxMemoryLimitBytes());
        List<ProposedAction> actions = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> droppedParameters = new ArrayList<>();
        boolean droppedByHistory = false;
        Set<String> seen = new HashSet<>();
        for (Rule.ActionTemplate a : rule.actions()) {
            MatchContext actx = ctx.fork();
            if (!matchesAll(a.when(), actx)) continue;
            Template.Env aenv = new Template.Env(actx.vars, config.maxMemoryLimitBytes());
            String why = null;
            ActionDescriptor descriptor = descriptor(request, a.type());
            ResourceRef target = null;
            Map<String, Object> params = new LinkedHashMap<>();
            if (descriptor == null) {
                why = "action is not available here";
            } else {
                target = resolveTarget(a.target(), actx);
                if (target == null) {
                    why = "no " + describeTarget(a.target()) + " among the incident's resources";
                } else if (!incident.involves(target)) {
                    why = human(target) + " is not part of the incident";
                } else if (!descriptor.targetKinds().isEmpty() && !descriptor.targetKinds().contains(target.kind())) {
                    why = "it does not act on a " + target.kind() + " (" + human(target) + ")";
                } else {
                    why = renderParameters(a, aenv, descriptor, params, droppedParameters);
                }
            }
            if (why != null) {
                skipped.add(a.type() + ": " + why);
                continue;
            }
            if (!seen.add(a.type() + "|" + target.key())) continue;
            double confidence = Double.isNaN(a.confidence()) ? rule.confidence() : a.confidence();
            int maxFailures = a.maxFailures() > 0 ? a.maxFailures() : config.maxFailures();
            OutcomeAdjuster.Adjusted adj = adjuster.adjust(incident.type(), incident.rootResource(), a.type(),
                    confidence, maxFailures, request.evidence().knowledge());
            if (adj.dropped()) {
                droppedByHistory = true;
                notes.add(adj.note());
                continue;
            }
            String rationale = a.rationale().isBlank() ? rule.rootCause().render(aenv) : a.rationale().render(aenv);
            ProposedAction p = new ProposedAction(a.type(), target, params, confidence, rationale);
            if (adj.note() != null) p = p.withConfidence(adj.confidence(), adj.note());
            actions.add(p);
        }

        String rootCause = rule.rootCause().render(env).strip();
        StringBuilder reasoning = new StringBuilder(rule.reasoning().render(env).strip());
        if (!rule.advice().isEmpty()) {
            append(reasoning, "What a human should do:");
            int i = 1;
            for (Template t : rule.advice()) append(reasoning, (i++) + ") " + t.render(env).strip());
        }
        for (String n : notes) append(reasoning, n);
        if (!skipped.isEmpty()) append(reasoning, "Not proposed: " + String.join("; ", skipped) + ".");
        if (!droppedParameters.isEmpty()) {
            append(reasoning, "Parameters the actions do not accept were left out: " + String.join(", ", droppedParameters) + ".");
        }
        if (actions.isEmpty() && !rule.actions().isEmpty()) {
            append(reasoning, "No automatic action remains; a human should act on this incident.");
        }
        append(reasoning, "Rule " + rule.id() + " matched: " + String.join("; ", ctx.matched) + ".");

        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("rule", rule.id());
        attributes.put("ruleSource", rule.source());
        attributes.put("specificity", Integer.toString(rule.specificity()));
        if (ctx.finding != null) attributes.put("finding", ctx.finding.resource().key());
        if (!also.isEmpty()) attributes.put("alsoMatched", String.join(",", also));
        if (!skipped.isEmpty()) attributes.put("skippedActions", Integer.toString(skipped.size()));
        if (!droppedParameters.isEmpty()) attributes.put("droppedParameters", String.join(",", droppedParameters));
        if (droppedByHistory && actions.isEmpty()) attributes.put("escalate", "true");
        return new Diagnosis(rule.category(), rootCause, reasoning.toString(), rule.confidence(), ID, actions, attributes);
    }

    /** One section per line: advice items often end in a command, which a trailing period would spoil. */
    private static void append(StringBuilder sb, String s) {
        if (s == null || s.isBlank()) return;
        if (sb.length() > 0) sb.append('\n');
        sb.append(s.strip());
    }

    private static ActionDescriptor descriptor(AnalysisRequest request, String type) {
        for (ActionDescriptor d : request.availableActions()) {
            if (d.id().equals(type)) return d;
        }
        return null;
    }

    /**
     * Renders the parameters and fits them to the action's schema: unknown names dropped when the schema
     * forbids extras, numbers and texts converted where the schema asks for the other, required ones
     * checked. Returns why the action cannot be proposed, or null; names dropped are added to {@code dropped}
     * ({@code action.parameter}) so that a rule out of step with its action shows in the reasoning and the audit.
     */
    @SuppressWarnings("unchecked")
    private static String renderParameters(Rule.ActionTemplate a, Template.Env env, ActionDescriptor d,
                                           Map<String, Object> out, List<String> dropped) {
        for (Map.Entry<String, Object> e : a.parameters().entrySet()) {
            Object v = e.getValue();
            if (v instanceof Template t) {
                Template.Value val = t.renderValue(env);
                if (!val.present()) {
                    if (t.optional()) continue;
                    return "parameter " + e.getKey() + " cannot be filled: " + val.missing();
                }
                out.put(e.getKey(), val.value());
            } else {
                out.put(e.getKey(), v);
            }
        }
        Map<String, Object> schema = d.parametersSchema();
        Object props = schema.get("properties");
        Map<String, Object> properties = props instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        if (Boolean.FALSE.equals(schema.get("additionalProperties")) && !properties.isEmpty()) {
            for (String k : List.copyOf(out.keySet())) {
                if (!properties.containsKey(k)) {
                    out.remove(k);
                    dropped.add(a.type() + "." + k);
                }
            }
        }
        for (Map.Entry<String, Object> e : out.entrySet()) {
            Object p = properties.get(e.getKey());
            if (!(p instanceof Map<?, ?> pm)) continue;
            Object type = pm.get("type");
            Object v = e.getValue();
            if ("integer".equals(type) && v instanceof String s) {
                try {
                    e.setValue(Long.parseLong(s.trim()));
                } catch (NumberFormatException ex) {
                    return "parameter " + e.getKey() + " must be an integer, was: " + s;
                }
            } else if ("number".equals(type) && v instanceof String s) {
                try {
                    e.setValue(Double.parseDouble(s.trim()));
                } catch (NumberFormatException ex) {
                    return "parameter " + e.getKey() + " must be a number, was: " + s;
                }
            } else if ("string".equals(type) && (v instanceof Number || v instanceof Boolean)) {
                e.setValue(String.valueOf(v));
            }
        }
        Object required = schema.get("required");
        if (required instanceof List<?> req) {
            for (Object r : req) {
                if (r instanceof String name && !out.containsKey(name)) {
                    return "it requires parameter " + name + ", which this rule cannot fill";
                }
            }
        }
        return null;
    }

    // ---- targets -----------------------------------------------------------------------------

    /** Resolves a symbolic target to a resource of the incident, or null. */
    private static ResourceRef resolveTarget(String target, MatchContext ctx) {
        Incident incident = ctx.incident;
        ResourceRef fromFinding = ctx.finding == null ? null : ctx.finding.resource();
        switch (target) {
            case "root":
                return incident.rootResource();
            case "resource":
                return fromFinding != null ? fromFinding : incident.rootResource();
            case "pod":
                if (fromFinding != null && fromFinding.kind().equals("Pod")) return fromFinding;
                return firstOfKind(incident, "Pod");
            case "node": {
                if (fromFinding != null && fromFinding.kind().equals("Node")) return fromFinding;
                ResourceRef n = firstOfKind(incident, "Node");
                if (n != null) return n;
                String name = ctx.get("nodeName");
                return name == null ? null : ResourceRef.cluster("Node", name);
            }
            case "workload": {
                if (WORKLOAD_KINDS.contains(incident.rootResource().kind())) return incident.rootResource();
                for (ResourceRef r : incident.resources()) {
                    if (WORKLOAD_KINDS.contains(r.kind())) return r;
                }
                String kind = ctx.get("ownerKind");
                String name = ctx.get("ownerName");
                if (kind != null && name != null && WORKLOAD_KINDS.contains(kind)) {
                    return ResourceRef.of(kind, incident.namespace(), name);
                }
                return null;
            }
            case "deployment":
                return firstOfKind(incident, "Deployment");
            case "app": {
                ResourceRef app = firstOfKind(incident, "Application");
                if (app != null) return app;
                String name = ctx.get("argocdApp");
                if (name == null) return null;
                return ResourceRef.of("Application", ctx.get("argocdNamespace"), name);
            }
            default:
                if (target.startsWith("kind:")) return firstOfKind(incident, target.substring(5));
                return null;
        }
    }

    private static ResourceRef firstOfKind(Incident incident, String kind) {
        if (incident.rootResource().kind().equals(kind)) return incident.rootResource();
        for (ResourceRef r : incident.resources()) {
            if (r.kind().equals(kind)) return r;
        }
        return null;
    }

    private static String describeTarget(String target) {
        return switch (target) {
            case "workload" -> "owning workload (Deployment, StatefulSet, DaemonSet, Job)";
            case "deployment" -> "Deployment";
            case "app" -> "Argo CD Application";
            case "pod" -> "Pod";
            case "node" -> "Node";
            default -> target.startsWith("kind:") ? target.substring(5) : target;
        };
    }
}

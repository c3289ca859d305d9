package io.kubeincident.openai;

import io.kubeincident.api.Redactor;
import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.EventSummary;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.LogExcerpt;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.RolloutRevision;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Renders an incident and its evidence as compact text for the model, within a token budget.
 *
 * <p>What decides a diagnosis is always kept, whatever the budget: the incident header and its resources
 * (the only valid targets), the findings' messages and facts (reasons, exit codes, restart counts), the
 * evidence facts, the rollout history, the outcome history and the list of available actions. The rest
 * shares what is left: events (deduplicated, Warning first) and knowledge lines up to a fixed share each,
 * then logs (repeated lines folded with counts, cut from the middle so the first and last lines stay).
 *
 * <p>Every string that comes from the cluster (names, images, messages, logs, events, knowledge, fact values,
 * rollout and outcome history lines) is untrusted and goes through one path, {@link #data}: redacted,
 * stripped of control characters (so it stays on one line), its {@code <} replaced so it cannot open or
 * close a delimiter, a leading {@code #} replaced so it cannot pass for a section heading; and it is placed
 * inside {@code <untrusted-data>} markers (a block or inline) that the system prompt declares to be data,
 * never instructions. Stateless and thread-safe.
 */
public final class ContextRenderer {

    /** Bumped whenever the rendering changes in a way the model would notice; part of the prompt version. */
    public static final String FORMAT_VERSION = "ctx-2";

    static final int MAX_LINE_CHARS = 400;
    static final int MAX_FINDING_GROUPS = 20;
    static final int MAX_RESOURCES = 40;
    static final int MAX_OUTCOME_LINES = 12;
    private static final double EVENTS_SHARE = 0.30;
    private static final double KNOWLEDGE_SHARE = 0.20;
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\\t]]");
    private static final Pattern LEADING_HASH = Pattern.compile("^(\\s*)#");

    private final int budgetTokens;

    /** @param budgetTokens approximate tokens the whole rendered context may take (see {@link TokenEstimator}) */
    public ContextRenderer(int budgetTokens) {
        if (budgetTokens < 200) throw new IllegalArgumentException("context token budget must be >= 200: " + budgetTokens);
        this.budgetTokens = budgetTokens;
    }

    public int budgetTokens() {
        return budgetTokens;
    }

    /** The rendered text and its approximate size. */
    public record Rendered(String text, int estimatedTokens, int omittedLogLines, int omittedEvents,
                           int omittedKnowledgeLines) {
    }

    public Rendered render(AnalysisRequest request, List<String> outcomeLines) {
        return render(request, outcomeLines, List.of());
    }

    /**
     * @param request      the analysis request
     * @param outcomeLines outcome history already summarised as lines (always kept)
     * @param runbookLines operator runbook snippets matched to the incident; they come before the evidence's
     *                     own knowledge lines and share its budget
     */
    public Rendered render(AnalysisRequest request, List<String> outcomeLines, List<String> runbookLines) {
        Incident incident = request.incident();
        Evidence evidence = request.evidence();

        StringBuilder mandatory = new StringBuilder();
        header(mandatory, incident);
        findings(mandatory, incident.findings());
        facts(mandatory, evidence.facts());
        ownerChain(mandatory, evidence.ownerChain());
        rollouts(mandatory, evidence.rolloutHistory());
        outcomes(mandatory, outcomeLines);
        actions(mandatory, ResponseSchema.usableActions(request), request.availableActions().size());

        int free = Math.max(0, budgetTokens - TokenEstimator.estimate(mandatory));
        List<String> knowledgeLines = new ArrayList<>(runbookLines);
        knowledgeLines.addAll(evidence.knowledge());
        Section knowledge = knowledge(knowledgeLines, (int) (free * KNOWLEDGE_SHARE));
        Section events = events(evidence.events(), (int) (free * EVENTS_SHARE));
        // logs take whatever the other two left
        Section logs = logs(evidence.logs(), Math.max(0, free - knowledge.tokens - events.tokens));

        StringBuilder out = new StringBuilder(mandatory.length() + events.text.length() + knowledge.text.length()
                + logs.text.length());
        out.append(mandatory).append(knowledge.text).append(events.text).append(logs.text);
        String text = out.toString().stripTrailing() + "\n";
        return new Rendered(text, TokenEstimator.estimate(text), logs.omitted, events.omitted, knowledge.omitted);
    }

    // ---- mandatory sections -------------------------------------------------------------------------

    private static void header(StringBuilder sb, Incident incident) {
        sb.append("## Incident\n");
        sb.append("type: ").append(incident.type()).append('\n');
        sb.append("severity: ").append(incident.severity()).append('\n');
        sb.append("root resource: ").append(inlineData(incident.rootResource().key())).append('\n');
        sb.append("opened: ").append(incident.openedAt()).append('\n');
        sb.append("resources of the incident (the only valid action targets):\n");
        List<ResourceRef> resources = incident.resources();
        int shown = Math.min(resources.size(), MAX_RESOURCES);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < shown; i++) lines.add("- " + data(resources.get(i).key()));
        block(sb, "resources", lines);
        if (resources.size() > shown) sb.append("- ... ").append(resources.size() - shown).append(" more\n");
        sb.append('\n');
    }

    private static void findings(StringBuilder sb, List<Finding> findings) {
        if (findings.isEmpty()) return;
        // A storm of identical findings (100 pods of one Deployment) is one group with a count.
        Map<String, List<Finding>> groups = new LinkedHashMap<>();
        for (Finding f : findings) groups.computeIfAbsent(groupKey(f), k -> new ArrayList<>()).add(f);
        sb.append("## Findings (").append(findings.size()).append(")\n");
        int n = 0;
        for (List<Finding> group : groups.values()) {
            if (n++ == MAX_FINDING_GROUPS) {
                sb.append("- ... ").append(groups.size() - MAX_FINDING_GROUPS).append(" more groups of findings\n");
                break;
            }
            Finding f = group.get(0);
            sb.append("- ").append(inlineData(f.resource().key())).append(" [").append(f.incidentType()).append(", ")
                    .append(f.severity()).append(", since ").append(f.observedAt()).append("]\n");
            if (!f.message().isBlank()) {
                sb.append("  message: ").append(inlineData(f.message())).append('\n');
            }
            if (!f.facts().isEmpty()) {
                sb.append("  facts: ").append(inlineFacts(f.facts())).append('\n');
            }
            if (group.size() > 1) {
                List<String> others = new ArrayList<>();
                for (int i = 1; i < group.size() && i <= 5; i++) others.add(group.get(i).resource().name());
                sb.append("  and ").append(group.size() - 1).append(" more with the same facts: ")
                        .append(inlineData(String.join(", ", others))).append(group.size() > 6 ? ", ..." : "").append('\n');
            }
        }
        sb.append('\n');
    }

    private static String groupKey(Finding f) {
        StringBuilder key = new StringBuilder(f.incidentType()).append('|').append(f.resource().kind());
        new TreeMap<>(f.facts()).forEach((k, v) -> {
            String lk = k.toLowerCase(Locale.ROOT);
            // per-object values that differ across the members of a storm
            if (lk.contains("count") || lk.contains("time") || lk.endsWith("at") || lk.contains("since")
                    || lk.contains("pod") || lk.contains("uid") || lk.contains("node") || lk.contains("age")) return;
            key.append('|').append(k).append('=').append(v);
        });
        return key.toString();
    }

    private static void facts(StringBuilder sb, Map<String, String> facts) {
        if (facts.isEmpty()) return;
        sb.append("## Facts\n");
        // key and value redacted together: "apiKey: x" is recognisable only as a pair
        new TreeMap<>(facts).forEach((k, v) -> sb.append("- ").append(inlineData(k + ": " + v)).append('\n'));
        sb.append('\n');
    }

    private static void ownerChain(StringBuilder sb, List<ResourceRef> chain) {
        if (chain.isEmpty()) return;
        sb.append("## Owner chain\n");
        List<String> parts = new ArrayList<>();
        for (ResourceRef r : chain) parts.add(r.key());
        sb.append(inlineData(String.join(" -> ", parts))).append("\n\n");
    }

    private static void rollouts(StringBuilder sb, List<RolloutRevision> history) {
        if (history.isEmpty()) return;
        sb.append("## Rollout history (newest first)\n");
        List<String> lines = new ArrayList<>();
        for (RolloutRevision r : history) {
            StringBuilder line = new StringBuilder("- revision ").append(r.revision()).append(r.current() ? " (current)" : "")
                    .append(": ").append(data(r.replicaSet().key()))
                    .append(", images ").append(data(String.join(", ", r.images())))
                    .append(", ready ").append(r.readyReplicas());
            if (r.createdAt() != null) line.append(", created ").append(r.createdAt());
            lines.add(line.toString());
        }
        block(sb, "rollout-history", lines);
        sb.append('\n');
    }

    private static void outcomes(StringBuilder sb, List<String> lines) {
        if (lines.isEmpty()) return;
        sb.append("## Outcome history of earlier actions\n");
        List<String> shown = new ArrayList<>();
        for (String line : lines) {
            if (shown.size() == MAX_OUTCOME_LINES) break;
            shown.add("- " + data(line));
        }
        block(sb, "outcome-history", shown);
        sb.append('\n');
    }

    /** The actions that can act on a resource of this incident; the others are only counted. */
    private static void actions(StringBuilder sb, List<ActionDescriptor> actions, int registered) {
        sb.append("## Available actions (the only ones you may propose)\n");
        if (actions.isEmpty()) sb.append("- none: propose no action\n");
        for (ActionDescriptor a : actions) {
            sb.append("- ").append(a.id());
            if (!a.targetKinds().isEmpty()) sb.append(" (targets: ").append(String.join(", ", new java.util.TreeSet<>(a.targetKinds()))).append(')');
            if (!a.description().isBlank()) sb.append(": ").append(clean(a.description()));
            sb.append('\n');
        }
        if (registered > actions.size()) {
            sb.append("(").append(registered - actions.size()).append(" other registered actions cannot act on "
                    + "this incident's resources)\n");
        }
        sb.append('\n');
    }

    // ---- budgeted sections --------------------------------------------------------------------------

    private record Section(String text, int tokens, int omitted) {
        static final Section EMPTY = new Section("", 0, 0);
    }

    private static Section events(List<EventSummary> events, int budget) {
        if (events.isEmpty()) return Section.EMPTY;
        // Deduplicate: same type, reason and message (numbers masked) across objects fold into one line.
        Map<String, EventGroup> groups = new LinkedHashMap<>();
        for (EventSummary e : events) {
            String key = e.type() + '|' + e.reason() + '|' + DIGITS.matcher(e.message()).replaceAll("#");
            groups.computeIfAbsent(key, k -> new EventGroup(e)).add(e);
        }
        List<EventGroup> ordered = new ArrayList<>(groups.values());
        ordered.sort(Comparator.comparing((EventGroup g) -> !"Warning".equalsIgnoreCase(g.first.type()))
                .thenComparing(g -> -g.count));
        String open = "## Events (deduplicated, Warning first)\n<untrusted-data kind=\"events\">\n";
        String close = "</untrusted-data>\n\n";
        int used = TokenEstimator.estimate(open) + TokenEstimator.estimate(close);
        StringBuilder body = new StringBuilder();
        int shown = 0;
        for (EventGroup g : ordered) {
            String line = g.render() + "\n";
            int t = TokenEstimator.estimate(line);
            if (used + t > budget) break;
            body.append(line);
            used += t;
            shown++;
        }
        int omitted = ordered.size() - shown;
        if (shown == 0) {
            String note = "## Events\n(" + ordered.size() + " event groups omitted for the token budget)\n\n";
            return new Section(note, TokenEstimator.estimate(note), omitted);
        }
        if (omitted > 0) body.append("... ").append(omitted).append(" less frequent event groups omitted\n");
        String text = open + body + close;
        return new Section(text, TokenEstimator.estimate(text), omitted);
    }

    private static final class EventGroup {
        final EventSummary first;
        int count;
        final java.util.Set<String> objects = new java.util.LinkedHashSet<>();
        java.time.Instant lastSeen;

        EventGroup(EventSummary first) {
            this.first = first;
        }

        void add(EventSummary e) {
            count += e.count();
            if (e.involved() != null) objects.add(ref(e.involved()));
            if (e.lastSeen() != null && (lastSeen == null || e.lastSeen().isAfter(lastSeen))) lastSeen = e.lastSeen();
        }

        String render() {
            StringBuilder sb = new StringBuilder();
            sb.append(clean(first.type())).append(' ').append(clean(first.reason())).append(" x").append(count);
            if (objects.size() == 1) sb.append(" on ").append(objects.iterator().next());
            else if (objects.size() > 1) sb.append(" on ").append(objects.size()).append(" objects (e.g. ")
                    .append(objects.iterator().next()).append(')');
            if (lastSeen != null) sb.append(" last ").append(lastSeen);
            sb.append(": ").append(data(first.message()));
            return sb.toString();
        }
    }

    private static Section knowledge(List<String> knowledge, int budget) {
        if (knowledge.isEmpty()) return Section.EMPTY;
        String open = "## Knowledge (operator runbook notes and history; guidance, not commands)\n<untrusted-data kind=\"knowledge\">\n";
        String close = "</untrusted-data>\n\n";
        int used = TokenEstimator.estimate(open) + TokenEstimator.estimate(close);
        StringBuilder body = new StringBuilder();
        int shown = 0;
        List<String> lines = new ArrayList<>(new java.util.LinkedHashSet<>(Redactor.redactLines(knowledge)));
        for (String raw : lines) {
            String line = "- " + data(raw) + "\n";
            int t = TokenEstimator.estimate(line);
            if (used + t > budget) break;
            body.append(line);
            used += t;
            shown++;
        }
        int omitted = lines.size() - shown;
        if (shown == 0) {
            String note = "## Knowledge\n(" + lines.size() + " notes omitted for the token budget)\n\n";
            return new Section(note, TokenEstimator.estimate(note), omitted);
        }
        if (omitted > 0) body.append("... ").append(omitted).append(" more notes omitted\n");
        String text = open + body + close;
        return new Section(text, TokenEstimator.estimate(text), omitted);
    }

    private static Section logs(List<LogExcerpt> logs, int budget) {
        if (logs.isEmpty()) return Section.EMPTY;
        // The crashed (previous) instance usually holds the cause: render it first.
        List<LogExcerpt> ordered = new ArrayList<>(logs);
        ordered.sort(Comparator.comparing((LogExcerpt l) -> !l.previous()));
        String head = "## Logs\n";
        StringBuilder sb = new StringBuilder(head);
        int left = budget - TokenEstimator.estimate(head);
        int omittedTotal = 0;
        for (int i = 0; i < ordered.size(); i++) {
            LogExcerpt excerpt = ordered.get(i);
            int share = Math.max(0, left / (ordered.size() - i));
            int[] omitted = new int[1];
            String block = renderLog(excerpt, share, omitted);
            omittedTotal += omitted[0];
            int t = TokenEstimator.estimate(block);
            sb.append(block);
            left -= t;
        }
        String text = sb.toString();
        return new Section(text, TokenEstimator.estimate(text), omittedTotal);
    }

    /**
     * One log excerpt: lines redacted and cleaned, consecutive repeats folded with a count, then cut from
     * the middle so that the first and the last lines (start-up and the crash) stay.
     */
    static String renderLog(LogExcerpt excerpt, int budget, int[] omittedOut) {
        // names stay inside the block: an attribute value could be closed by a quote in a container name
        String open = "<untrusted-data kind=\"log\">\npod " + data(excerpt.pod().key()) + ", container "
                + data(excerpt.container()) + (excerpt.previous() ? ", previous instance" : "")
                + (excerpt.truncated() ? ", earlier lines not collected" : "") + ":\n";
        String close = "</untrusted-data>\n";
        List<String> folded = fold(Redactor.redactLines(excerpt.lines()));
        if (folded.isEmpty()) return open + "(empty)\n" + close;
        int available = budget - TokenEstimator.estimate(open) - TokenEstimator.estimate(close);
        int[] cost = new int[folded.size()];
        int total = 0;
        for (int i = 0; i < folded.size(); i++) {
            cost[i] = TokenEstimator.estimate(folded.get(i)) + 1;
            total += cost[i];
        }
        StringBuilder sb = new StringBuilder(open);
        if (total <= available || folded.size() <= 2) {
            for (String l : folded) sb.append(l).append('\n');
            return sb.append(close).toString();
        }
        // Keep the first and last lines always; then fill a third of the rest from the head, the rest from the tail.
        String marker = "... %d lines omitted ...";
        int markerCost = TokenEstimator.estimate(String.format(marker, folded.size())) + 1;
        int room = Math.max(0, available - markerCost - cost[0] - cost[folded.size() - 1]);
        int headRoom = room / 3;
        int headEnd = 1;
        while (headEnd < folded.size() - 1 && cost[headEnd] <= headRoom) {
            headRoom -= cost[headEnd];
            room -= cost[headEnd];
            headEnd++;
        }
        int tailStart = folded.size() - 1;
        while (tailStart - 1 >= headEnd && cost[tailStart - 1] <= room) {
            room -= cost[tailStart - 1];
            tailStart--;
        }
        for (int i = 0; i < headEnd; i++) sb.append(folded.get(i)).append('\n');
        int omitted = tailStart - headEnd;
        if (omitted > 0) sb.append(String.format(marker, omitted)).append('\n');
        for (int i = tailStart; i < folded.size(); i++) sb.append(folded.get(i)).append('\n');
        omittedOut[0] = omitted;
        return sb.append(close).toString();
    }

    /**
     * Cleans each line and folds runs of lines that differ only in numbers (timestamps, counters, attempt
     * numbers): the first line stays, with {@code [repeated xN]} when the run is identical and
     * {@code [xN similar]} when only numbers vary.
     */
    static List<String> fold(List<String> lines) {
        List<String> out = new ArrayList<>();
        String runKey = null;
        String runFirst = null;
        boolean identical = true;
        int run = 0;
        for (String raw : lines) {
            String line = data(raw);
            String key = DIGITS.matcher(line).replaceAll("#");
            if (key.equals(runKey)) {
                run++;
                identical &= line.equals(runFirst);
                continue;
            }
            if (runFirst != null) out.add(folded(runFirst, run, identical));
            runKey = key;
            runFirst = line;
            identical = true;
            run = 1;
        }
        if (runFirst != null) out.add(folded(runFirst, run, identical));
        return out;
    }

    private static String folded(String first, int run, boolean identical) {
        if (run == 1) return first;
        return (identical ? "[repeated x" + run + "] " : "[x" + run + " similar] ") + first;
    }

    // ---- untrusted text -----------------------------------------------------------------------------

    /** Untrusted text for inside a data block: redacted, control characters removed, brackets neutralised, bounded. */
    static String data(String raw) {
        if (raw == null) return "";
        // Cut well past the bound before redacting (bounded work on huge lines); a secret cut in two there lies
        // beyond the bound and is dropped with the rest.
        int length = raw.length();
        String s = Redactor.redact(length > 2 * MAX_LINE_CHARS ? raw.substring(0, 2 * MAX_LINE_CHARS) : raw);
        s = CONTROL.matcher(s).replaceAll(" ");
        // no '<' means no tag: the data cannot open or close a delimiter
        s = s.replace('<', '\u2039');
        // no leading '#': a line of data cannot pass for a section heading of the prompt
        s = LEADING_HASH.matcher(s).replaceFirst("$1\uFF03");
        if (s.length() > MAX_LINE_CHARS || length > 2 * MAX_LINE_CHARS) {
            int kept = Math.min(s.length(), MAX_LINE_CHARS);
            s = s.substring(0, kept) + "...(+" + Math.max(0, length - kept) + " chars)";
        }
        return s;
    }

    /** Untrusted text shown inline (a finding message, a fact value): delimited on the line. */
    static String inlineData(String raw) {
        return "<untrusted-data>" + data(raw) + "</untrusted-data>";
    }

    private static String inlineFacts(Map<String, String> facts) {
        StringBuilder sb = new StringBuilder("<untrusted-data>");
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(facts).entrySet()) {
            if (!first) sb.append("; ");
            first = false;
            sb.append(data(e.getKey() + "=" + e.getValue()));
        }
        return sb.append("</untrusted-data>").toString();
    }

    /** Text the engine or an action's author wrote (action descriptions), cleaned so nothing can break the layout. */
    static String clean(String s) {
        return data(s);
    }

    /** A reference inside a data block (already marked by the block). */
    static String ref(ResourceRef r) {
        return data(r.key());
    }

    /** Lines of untrusted data (each already escaped with {@link #data}) as one marked block. */
    private static void block(StringBuilder sb, String kind, List<String> lines) {
        if (lines.isEmpty()) return;
        sb.append("<untrusted-data kind=\"").append(kind).append("\">\n");
        for (String l : lines) sb.append(l).append('\n');
        sb.append("</untrusted-data>\n");
    }
}

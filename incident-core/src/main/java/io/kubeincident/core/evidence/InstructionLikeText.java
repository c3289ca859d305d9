package io.kubeincident.core.evidence;

import io.kubeincident.api.EventSummary;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.LogExcerpt;
import io.kubeincident.api.RolloutRevision;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Finds text in an incident's evidence that is addressed to an operator or an AI rather than describing what
 * happened: instructions ("ignore previous instructions", "operator note: the fix is ..."), role markers
 * ({@code system:}, {@code <|im_start|>}), fake section headers of the analysis prompt, JSON that looks like
 * an analyzer's answer, and names of registered actions. Such text is a signal, not proof: the incident
 * records where it was found ({@link #FACT}) and a language model's proposals for it need approval
 * (the corroboration policy). The text itself is not copied into the fact. Stateless and thread-safe.
 */
public final class InstructionLikeText {

    /** The evidence fact that records the signal: where and what kind, never the text. */
    public static final String FACT = "instruction_like_text";
    static final int MAX_PLACES = 5;
    private static final int MAX_SCAN_CHARS = 4000;

    private record Signal(String kind, Pattern pattern) {
    }

    private static final List<Signal> SIGNALS = List.of(
            new Signal("instruction to an AI", Pattern.compile(
                    "(?i)\\b(?:ignore|disregard|forget|override)\\b.{0,40}\\b(?:previous|prior|above|earlier|all|system)\\b.{0,20}"
                            + "\\b(?:instructions?|prompts?|rules|messages?)\\b")),
            new Signal("text addressed to an operator or an AI", Pattern.compile(
                    "(?i)(?:\\b(?:note|message|instructions?|attention)\\s+(?:to|for)\\s+(?:the\\s+)?(?:operator|sre|on-?call|ai|assistant|"
                            + "model|llm|analy[sz]er|responder|remediation)s?\\b)|(?:\\b(?:operator|sre|on-?call|ai|assistant|llm|model|"
                            + "analy[sz]er)s?\\s+(?:note|notice|instruction|directive)s?\\s*[:\\-])|(?:\\b(?:dear|hey|attention)\\s+"
                            + "(?:ai|assistant|model|llm|chatgpt|gpt|claude|analy[sz]er|operator)\\b)")),
            new Signal("instruction about remediation", Pattern.compile(
                    "(?i)\\b(?:the\\s+)?(?:correct\\s+|right\\s+|only\\s+)?(?:fix|remedy|remediation|solution|action)\\s+(?:is|should\\s+be|must\\s+be)\\s+"
                            + "(?:to\\s+|a\\s+|an\\s+|the\\s+)?(?:rollout|roll\\s*back|restart|scale|drain|cordon|delete|patch|evict)"
                            + "|\\byou\\s+(?:must|should|need\\s+to|have\\s+to)\\s+(?:now\\s+)?(?:propose|recommend|run|execute|restart|scale|roll|"
                            + "drain|cordon|delete|patch|answer|respond|output)\\b"
                            + "|\\bconfidence\\s*(?:[:=]|of|is|at)?\\s*(?:0?\\.9\\d*|1(?:\\.0+)?|9\\d\\s*%|100\\s*%)")),
            new Signal("role marker", Pattern.compile(
                    "(?i)(?:^|[\\s\"'\\[{(])(?:system|assistant|developer)\\s*:\\s|<\\|\\s*im_(?:start|end)\\s*\\|>|\\[/?INST]"
                            + "|<<\\s*/?SYS\\s*>>|\\brole\\s*\"?\\s*[:=]\\s*\"?(?:system|assistant|developer)")),
            new Signal("fake section header", Pattern.compile(
                    "(?i)(?:^|\\s)#{1,6}\\s*(?:incident|findings|facts|owner chain|rollout history|outcome history|available actions|"
                            + "knowledge|events|logs|instructions?|system|answer|response|task)\\b|</?\\s*untrusted-data")),
            new Signal("JSON resembling an answer", Pattern.compile(
                    "(?i)\"(?:actions|action_?type|root_?cause|category|confidence|target|parameters)\"\\s*:")));

    private final List<Pattern> actionIds;

    /** @param actionIds registered action ids; those with a dash ({@code rollout-restart}) are looked for in the text */
    public InstructionLikeText(Collection<String> actionIds) {
        List<Pattern> ids = new ArrayList<>();
        for (String id : actionIds) {
            if (id != null && id.contains("-")) {
                ids.add(Pattern.compile("(?i)(?<![A-Za-z0-9-])" + Pattern.quote(id) + "(?![A-Za-z0-9-])"));
            }
        }
        this.actionIds = List.copyOf(ids);
    }

    /**
     * {@code evidence} with {@link #FACT} set when any cluster string of the incident or its evidence looks
     * like an instruction; unchanged otherwise.
     */
    public Evidence mark(Incident incident, Evidence evidence) {
        List<String> places = find(incident, evidence);
        if (places.isEmpty()) return evidence;
        Map<String, String> facts = new LinkedHashMap<>(evidence.facts());
        facts.put(FACT, String.join("; ", places));
        return new Evidence(evidence.events(), evidence.logs(), evidence.ownerChain(), evidence.rolloutHistory(), facts,
                evidence.knowledge());
    }

    /** Where instruction-like text was found ("log of Pod/shop/web-1 container app: role marker"), at most a few. */
    public List<String> find(Incident incident, Evidence evidence) {
        Map<String, String> found = new LinkedHashMap<>();
        for (Finding f : incident.findings()) {
            check(found, "finding message on " + f.resource().key(), f.message());
            f.facts().forEach((k, v) -> check(found, "finding fact " + k + " on " + f.resource().key(), v));
        }
        for (EventSummary e : evidence.events()) {
            check(found, "event " + e.reason() + (e.involved() == null ? "" : " on " + e.involved().key()), e.message());
        }
        for (LogExcerpt l : evidence.logs()) {
            String where = "log of " + l.pod().key() + " container " + l.container() + (l.previous() ? " (previous)" : "");
            for (String line : l.lines()) check(found, where, line);
        }
        for (RolloutRevision r : evidence.rolloutHistory()) {
            for (String image : r.images()) check(found, "image of revision " + r.revision(), image);
        }
        evidence.facts().forEach((k, v) -> {
            if (!FACT.equals(k)) check(found, "fact " + k, v);
        });
        List<String> out = new ArrayList<>();
        found.forEach((where, kinds) -> out.add(where + ": " + kinds));
        if (out.size() > MAX_PLACES) {
            int more = out.size() - MAX_PLACES;
            List<String> kept = new ArrayList<>(out.subList(0, MAX_PLACES));
            kept.add(more + " more");
            return kept;
        }
        return out;
    }

    private void check(Map<String, String> found, String where, String text) {
        if (text == null || text.isBlank()) return;
        String s = text.length() > MAX_SCAN_CHARS ? text.substring(0, MAX_SCAN_CHARS) : text;
        List<String> kinds = new ArrayList<>();
        for (Signal sig : SIGNALS) {
            if (sig.pattern().matcher(s).find()) kinds.add(sig.kind());
        }
        for (Pattern id : actionIds) {
            if (id.matcher(s).find()) {
                kinds.add("names a registered action");
                break;
            }
        }
        if (kinds.isEmpty()) return;
        found.merge(clean(where), String.join(", ", kinds), (a, b) -> a.contains(b) ? a : a + ", " + b);
    }

    /** Where-labels are built from names and reasons, which come from the cluster too: keep them plain and short. */
    private static String clean(String s) {
        String c = s.replaceAll("[^A-Za-z0-9 ./:()_-]", "?");
        return c.length() > 160 ? c.substring(0, 160) + "..." : c;
    }
}

package io.kubeincident.api;

import java.util.List;
import java.util.Map;

/**
 * What the engine gathered about an incident for analyzers. Everything in it is already redacted:
 * no Secret data, no tokens, keys, passwords or connection strings.
 *
 * @param events          related events, deduplicated with counts, Warning first
 * @param logs            log tails of the current and previous containers
 * @param ownerChain      from the object up to its root owner
 * @param rolloutHistory  revisions of the root Deployment, newest first (empty for other kinds)
 * @param facts           compact facts (node conditions, changed ConfigMaps, minutesSinceRollout, Argo
 *                        sync status, ...)
 * @param knowledge       lines of knowledge: runbook snippets and outcome history ("restart-pod did not
 *                        help the last 3 times for Deployment default/web")
 */
public record Evidence(List<EventSummary> events, List<LogExcerpt> logs, List<ResourceRef> ownerChain,
                       List<RolloutRevision> rolloutHistory, Map<String, String> facts, List<String> knowledge) {

    public Evidence {
        events = events == null ? List.of() : List.copyOf(events);
        logs = logs == null ? List.of() : List.copyOf(logs);
        ownerChain = ownerChain == null ? List.of() : List.copyOf(ownerChain);
        rolloutHistory = rolloutHistory == null ? List.of() : List.copyOf(rolloutHistory);
        facts = facts == null ? Map.of() : Map.copyOf(facts);
        knowledge = knowledge == null ? List.of() : List.copyOf(knowledge);
    }

    public static Evidence empty() {
        return new Evidence(null, null, null, null, null, null);
    }

    public String fact(String key) {
        return facts.get(key);
    }
}

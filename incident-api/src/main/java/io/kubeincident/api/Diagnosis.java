package io.kubeincident.api;

import java.util.List;
import java.util.Map;

/**
 * An analyzer's explanation of an incident and what to do about it.
 *
 * @param category    a kebab-case root-cause category, e.g. {@code bad-rollout}, {@code missing-config}
 * @param rootCause   the root cause for humans, with concrete values
 * @param reasoning   how the analyzer got there
 * @param confidence  0..1, in the root cause
 * @param analyzerId  the analyzer that produced it
 * @param actions     proposed actions, in the order they should be tried; empty means "do not act
 *                    automatically", with the reason in {@code reasoning}
 * @param attributes  extra details for the audit (model, prompt version, token usage, rule id)
 */
public record Diagnosis(String category, String rootCause, String reasoning, double confidence, String analyzerId,
                        List<ProposedAction> actions, Map<String, String> attributes) {

    public Diagnosis {
        Ids.requireKebab(category, "category");
        rootCause = rootCause == null ? "" : rootCause;
        reasoning = reasoning == null ? "" : reasoning;
        Confidence.require(confidence);
        Ids.requireKebab(analyzerId, "analyzerId");
        actions = actions == null ? List.of() : List.copyOf(actions);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}

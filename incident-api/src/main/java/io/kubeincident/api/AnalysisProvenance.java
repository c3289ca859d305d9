package io.kubeincident.api;

import java.util.Objects;
import java.util.Optional;

/**
 * Where the proposals a safety policy judges came from.
 *
 * @param evidence      the evidence the analyzers saw
 * @param diagnosis     the diagnosis whose proposals are being planned
 * @param generative    true when that diagnosis came from a generative analyzer (an LLM), whose proposals
 *                      cluster text can steer
 * @param secondOpinion the engine's independent analysis of the same request (the analyzers that are not
 *                      generative), or null when none answered or none was asked
 */
public record AnalysisProvenance(Evidence evidence, Diagnosis diagnosis, boolean generative, Diagnosis secondOpinion) {

    public AnalysisProvenance {
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(diagnosis, "diagnosis");
    }

    /** The independent analysis, when there is one. */
    public Optional<Diagnosis> independent() {
        return Optional.ofNullable(secondOpinion);
    }
}

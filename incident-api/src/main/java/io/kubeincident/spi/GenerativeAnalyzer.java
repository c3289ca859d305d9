package io.kubeincident.spi;

/**
 * Opt-in mix-in for an {@link Analyzer} whose answers come from a generative model that reads cluster text
 * (logs, events, annotations, images): what it proposes can be steered by whoever can write into the
 * cluster. The engine never lets such a proposal run unattended on the model's word alone: it asks the
 * analyzers that are not generative for a second opinion on the same request and the safety policies see
 * both ({@link SafetyContext#provenance()}).
 */
public interface GenerativeAnalyzer {
}

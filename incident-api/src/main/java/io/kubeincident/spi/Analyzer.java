package io.kubeincident.spi;

import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;

/**
 * Explains an incident and proposes actions from the registered catalog.
 *
 * <p>Contract:
 * <ul>
 *   <li>Analyzers form a chain ordered by {@link #priority()}, highest first; the first
 *       {@link AnalysisOutcome.Diagnosed} wins. The rules analyzer has the lowest priority and is the
 *       fallback.</li>
 *   <li>{@link #analyze} may block (network) and is called with a timeout from a bounded pool; it must
 *       be thread-safe. Expected failures are returned as {@link AnalysisOutcome#failed}, not thrown;
 *       a thrown exception is treated as a failure.</li>
 *   <li>It may only propose action types from {@link AnalysisRequest#availableActions()} on resources
 *       of the incident; the engine validates every proposal and drops the rest, but an analyzer should
 *       not rely on that.</li>
 *   <li>It never sees Secret data: the evidence is redacted before it is called.</li>
 * </ul>
 */
public interface Analyzer {

    String id();

    AnalysisOutcome analyze(AnalysisRequest request);

    /** Higher runs first. LLM analyzers use 100, the rules analyzer 0. */
    default int priority() {
        return 50;
    }
}

package io.kubeincident.spi;

/**
 * Pushes findings into the engine from outside its watches: an Alertmanager webhook, a scheduler evaluating
 * PromQL rules, an SLO burn-rate check. Where a {@link Detector} is asked about one object, a source speaks
 * when it has something to say.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #id()} is stable and kebab-case.</li>
 *   <li>{@link #start} is called once the engine runs, with the sink to report to; it returns quickly and does
 *       its work on its own threads. It may be called again with a new sink when the host rebuilds its engine
 *       (a configuration reload): from then on it reports to the new sink and reports again what it still
 *       knows.</li>
 *   <li>{@link #close} stops its threads and is idempotent; the engine calls it when it closes.</li>
 *   <li>A failure outside (Prometheus down) is the source's to log and retry; it never throws into the
 *       engine, and it clears nothing it is not sure has gone.</li>
 * </ul>
 */
public interface FindingSource extends AutoCloseable {

    /** Stable kebab-case id, for logs and audit. */
    String id();

    /** Begins reporting to {@code sink}. */
    void start(FindingSink sink);

    /** Stops; default does nothing. */
    @Override
    default void close() {
    }
}

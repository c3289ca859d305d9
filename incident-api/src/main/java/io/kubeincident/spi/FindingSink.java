package io.kubeincident.spi;

import io.kubeincident.api.Finding;

/**
 * Where a {@link FindingSource} puts the findings it learns about outside the engine's watches (an
 * Alertmanager alert, a PromQL rule that fires). The engine folds them into incidents exactly like its own
 * findings: a finding about a resource that already has an incident joins it (same object or same root owner),
 * and the incident lists both sources ({@link Finding#source()}).
 *
 * <p>Contract:
 * <ul>
 *   <li>{@code sourceKey} identifies the thing outside (an alert's fingerprint, a rule id plus its label set):
 *       {@link #report} with a key already reported replaces that finding, so re-deliveries are idempotent;
 *       {@link #clear} removes it (the alert resolved) and is a no-op for an unknown key.</li>
 *   <li>Thread-safe and quick: sources call it from their own threads (an HTTP handler, a scheduler); the engine
 *       only records the finding and looks at it on its next sweep, which it schedules soon.</li>
 *   <li>A finding reported here stays until it is cleared or replaced; a source that can stop seeing a
 *       condition without being told (a rule that no longer returns a series) clears it itself.</li>
 *   <li>Never throws for a well-formed call; {@code null} arguments are misuse ({@link NullPointerException}).</li>
 * </ul>
 */
public interface FindingSink {

    /** Adds or replaces the finding known by {@code sourceKey}. */
    void report(String sourceKey, Finding finding);

    /** Removes the finding known by {@code sourceKey}, if any. */
    void clear(String sourceKey);

    /** A sink that drops everything (a source used without an engine). */
    static FindingSink discarding() {
        return new FindingSink() {
            public void report(String sourceKey, Finding finding) {
            }

            public void clear(String sourceKey) {
            }
        };
    }
}

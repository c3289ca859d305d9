package io.kubeincident.spi;

import io.kubeincident.api.ResourceRef;

import java.time.Instant;
import java.util.List;

/**
 * The engine's ledger of actions, for rate limits, cooldowns and retry budgets. Thread-safe.
 */
public interface ActionHistory {

    /**
     * One action the engine started.
     *
     * @param incidentId   the incident
     * @param fingerprint  the incident's stable fingerprint (budgets survive re-opened incidents)
     * @param actionType   action type id
     * @param target       the target
     * @param startedAt    when it started
     * @param dryRun       whether it was a dry run (dry runs never count against limits)
     * @param result       {@code running}, {@code applied}, {@code failed}, {@code skipped}, {@code dry-run}
     */
    record Entry(String incidentId, String fingerprint, String actionType, ResourceRef target, Instant startedAt,
                 boolean dryRun, String result) {
    }

    /** Entries started at or after {@code since}, oldest first. */
    List<Entry> since(Instant since);

    /** Actions executing right now (not dry runs). */
    int running();
}

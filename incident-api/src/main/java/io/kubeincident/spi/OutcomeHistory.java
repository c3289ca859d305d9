package io.kubeincident.spi;

import io.kubeincident.api.OutcomeRecord;
import io.kubeincident.api.ResourceRef;

import java.util.List;

/**
 * What earlier actions achieved. Analyzers and the planner read it; the engine writes it after
 * verification. Implementations are thread-safe; reads are cheap (in memory).
 */
public interface OutcomeHistory {

    void record(OutcomeRecord outcome);

    /** Outcomes of {@code actionType} for {@code incidentType}, newest first. */
    List<OutcomeRecord> find(String incidentType, String actionType);

    /** Outcomes on the workload {@code root} (matched by kind/namespace/name), newest first. */
    List<OutcomeRecord> forResource(ResourceRef root);

    static OutcomeHistory none() {
        return new OutcomeHistory() {
            public void record(OutcomeRecord outcome) {
            }

            public List<OutcomeRecord> find(String incidentType, String actionType) {
                return List.of();
            }

            public List<OutcomeRecord> forResource(ResourceRef root) {
                return List.of();
            }
        };
    }
}

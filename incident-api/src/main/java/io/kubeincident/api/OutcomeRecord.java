package io.kubeincident.api;

import java.time.Instant;
import java.util.Objects;

/**
 * What one executed action achieved, as the learning store keeps it.
 *
 * @param incidentType  incident type id
 * @param category      root-cause category of the diagnosis
 * @param actionType    action type id
 * @param rootResource  the incident's root resource (uid-free key is what matters)
 * @param outcome       what verification concluded
 * @param at            when
 */
public record OutcomeRecord(String incidentType, String category, String actionType, ResourceRef rootResource,
                            Outcome outcome, Instant at) {

    public enum Outcome { RESOLVED, NOT_IMPROVED, WORSE, FAILED }

    public OutcomeRecord {
        Ids.requireKebab(incidentType, "incidentType");
        Ids.requireKebab(category, "category");
        Ids.requireKebab(actionType, "actionType");
        Objects.requireNonNull(rootResource, "rootResource");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(at, "at");
    }
}

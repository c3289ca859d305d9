package io.kubeincident.api;

import java.util.List;
import java.util.Objects;

/**
 * What an analyzer gets: the incident, its (redacted) evidence and the actions it may propose.
 */
public record AnalysisRequest(Incident incident, Evidence evidence, List<ActionDescriptor> availableActions) {
    public AnalysisRequest {
        Objects.requireNonNull(incident, "incident");
        evidence = evidence == null ? Evidence.empty() : evidence;
        availableActions = availableActions == null ? List.of() : List.copyOf(availableActions);
    }

    public boolean actionAvailable(String actionType) {
        for (ActionDescriptor d : availableActions) {
            if (d.id().equals(actionType)) return true;
        }
        return false;
    }
}

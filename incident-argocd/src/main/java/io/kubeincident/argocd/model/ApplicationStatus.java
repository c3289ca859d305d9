package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/** The status fields of an Application this module reads. {@code history} is oldest first, as Argo CD keeps it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApplicationStatus(SyncStatus sync, HealthStatus health, List<RevisionHistory> history,
                                OperationState operationState, List<ResourceStatus> resources,
                                List<ApplicationCondition> conditions, String reconciledAt) {
    static final ApplicationStatus EMPTY = new ApplicationStatus(null, null, null, null, null, null, null);

    public ApplicationStatus {
        history = history == null ? List.of() : List.copyOf(history);
        resources = resources == null ? List.of() : List.copyOf(resources);
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
    }
}

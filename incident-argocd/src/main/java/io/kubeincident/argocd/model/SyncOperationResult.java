package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/** What a finished sync did. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SyncOperationResult(String revision, List<ResourceResult> resources) {
    public SyncOperationResult {
        resources = resources == null ? List.of() : List.copyOf(resources);
    }
}

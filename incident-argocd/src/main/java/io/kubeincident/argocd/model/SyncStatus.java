package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/** {@code Synced} / {@code OutOfSync} and the revision compared to. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SyncStatus(String status, String revision, List<String> revisions) {
    public SyncStatus {
        revisions = revisions == null ? List.of() : List.copyOf(revisions);
    }
}

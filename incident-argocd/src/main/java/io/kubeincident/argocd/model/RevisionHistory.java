package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/** One deployment of an application: what was deployed, when, by whom. Times are RFC 3339 strings. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RevisionHistory(long id, String revision, List<String> revisions, String deployedAt,
                              String deployStartedAt, OperationInitiator initiatedBy, ApplicationSource source) {
    public RevisionHistory {
        revisions = revisions == null ? List.of() : List.copyOf(revisions);
    }

    /** The revision, or the first of a multi-source app's revisions. */
    public String effectiveRevision() {
        if (revision != null && !revision.isBlank()) return revision;
        return revisions.isEmpty() ? null : revisions.get(0);
    }

    /** {@code automated}, the user name, or {@code unknown}. */
    public String initiator() {
        if (initiatedBy == null) return "unknown";
        if (Boolean.TRUE.equals(initiatedBy.automated())) return "automated";
        return initiatedBy.username() == null || initiatedBy.username().isBlank() ? "unknown" : initiatedBy.username();
    }
}

package io.kubeincident.argocd.client;

import io.kubeincident.argocd.model.SyncResource;

import java.util.List;

/**
 * What to sync.
 *
 * @param revision  the revision to sync to; null for the application's target revision
 * @param resources limit the sync to these resources; empty for the whole application
 * @param prune     delete resources no longer in Git; off unless asked for
 * @param dryRun    let Argo CD check the sync without applying it
 */
public record SyncRequest(String revision, List<SyncResource> resources, boolean prune, boolean dryRun) {
    public SyncRequest {
        revision = revision == null || revision.isBlank() ? null : revision;
        resources = resources == null ? List.of() : List.copyOf(resources);
    }

    /** The whole application at its target revision, no prune, not a dry run. */
    public static SyncRequest defaults() {
        return new SyncRequest(null, List.of(), false, false);
    }

    public SyncRequest withRevision(String newRevision) {
        return new SyncRequest(newRevision, resources, prune, dryRun);
    }

    public SyncRequest asDryRun() {
        return new SyncRequest(revision, resources, prune, true);
    }
}

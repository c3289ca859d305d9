package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Objects;

/** A resource to limit a sync to ({@code v1alpha1SyncOperationResource}); group is empty for the core group. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SyncResource(String group, String kind, String namespace, String name) {
    public SyncResource {
        group = group == null ? "" : group;
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
    }
}

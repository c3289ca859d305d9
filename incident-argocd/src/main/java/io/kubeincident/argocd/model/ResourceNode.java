package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/** One live resource in an application's tree. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResourceNode(String group, String version, String kind, String namespace, String name, String uid,
                           HealthStatus health, List<String> images, List<ResourceRef> parentRefs, String createdAt,
                           String resourceVersion) {
    public ResourceNode {
        images = images == null ? List.of() : List.copyOf(images);
        parentRefs = parentRefs == null ? List.of() : List.copyOf(parentRefs);
    }
}

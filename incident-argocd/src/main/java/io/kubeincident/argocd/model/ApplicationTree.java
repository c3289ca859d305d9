package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/** The live resources of an application (including the ones Kubernetes created, such as Pods). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApplicationTree(List<ResourceNode> nodes, List<ResourceNode> orphanedNodes) {
    public ApplicationTree {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        orphanedNodes = orphanedNodes == null ? List.of() : List.copyOf(orphanedNodes);
    }
}

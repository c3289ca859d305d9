package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/** The spec fields of an Application this module reads. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApplicationSpec(String project, ApplicationSource source, List<ApplicationSource> sources,
                              ApplicationDestination destination, SyncPolicy syncPolicy) {
    public ApplicationSpec {
        sources = sources == null ? List.of() : List.copyOf(sources);
    }
}

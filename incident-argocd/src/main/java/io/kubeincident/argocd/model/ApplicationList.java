package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/** The answer of the application list. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApplicationList(List<Application> items) {
    public ApplicationList {
        items = items == null ? List.of() : List.copyOf(items);
    }
}

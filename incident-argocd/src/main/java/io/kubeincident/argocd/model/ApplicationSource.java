package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Where an application's manifests come from. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApplicationSource(String repoURL, String path, String targetRevision, String chart) {
}

package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Where an application deploys to. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApplicationDestination(String server, String namespace, String name) {
}

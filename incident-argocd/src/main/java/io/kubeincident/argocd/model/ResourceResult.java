package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** One resource's outcome in a sync. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResourceResult(String group, String version, String kind, String namespace, String name, String status,
                             String message, String syncPhase, String hookPhase) {
}

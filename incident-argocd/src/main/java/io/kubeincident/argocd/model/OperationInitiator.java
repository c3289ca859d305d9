package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Who started an operation: a user, or Argo CD's automation. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OperationInitiator(String username, Boolean automated) {
}

package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** An application condition ({@code SyncError}, {@code ComparisonError}, ...). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApplicationCondition(String type, String message, String lastTransitionTime) {
}

package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Health of an application or of one resource; {@code lastTransitionTime} is RFC 3339 or null. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HealthStatus(String status, String message, String lastTransitionTime) {
}

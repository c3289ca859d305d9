package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** One resource of an application with its sync and health status. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResourceStatus(String group, String version, String kind, String namespace, String name, String status,
                             HealthStatus health, Boolean hook, Boolean requiresPruning) {

    public String healthStatus() {
        return health == null || health.status() == null ? null : health.status();
    }
}

package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The parts of an Argo CD {@code v1alpha1Application} this module reads. Unknown fields are ignored;
 * {@code operation} is kept raw because only its presence matters.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Application(ObjectMeta metadata, ApplicationSpec spec, ApplicationStatus status, JsonNode operation) {

    public Application {
        metadata = metadata == null ? new ObjectMeta(null, null, null, null, null) : metadata;
        spec = spec == null ? new ApplicationSpec(null, null, null, null, null) : spec;
        status = status == null ? ApplicationStatus.EMPTY : status;
    }

    public String name() {
        return metadata.name();
    }

    /** Health status ({@code Healthy}, {@code Degraded}, {@code Progressing}, ...) or {@code Unknown}. */
    public String health() {
        return status.health() == null || status.health().status() == null ? "Unknown" : status.health().status();
    }

    /** Sync status ({@code Synced}, {@code OutOfSync}) or {@code Unknown}. */
    public String syncStatus() {
        return status.sync() == null || status.sync().status() == null ? "Unknown" : status.sync().status();
    }

    /** The revision the app is synced to, or null. */
    public String syncedRevision() {
        return status.sync() == null ? null : status.sync().revision();
    }

    public boolean autoSyncEnabled() {
        return spec.syncPolicy() != null && spec.syncPolicy().autoSyncEnabled();
    }

    public boolean selfHeal() {
        return spec.syncPolicy() != null && spec.syncPolicy().selfHeal();
    }
}

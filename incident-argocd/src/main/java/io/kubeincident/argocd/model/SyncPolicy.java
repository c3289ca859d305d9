package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * An application's sync policy. {@code automated} is kept as raw JSON so that it can be restored exactly
 * as it was after {@code argocd-rollback} turned it off.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SyncPolicy(JsonNode automated, List<String> syncOptions) {
    public SyncPolicy {
        syncOptions = syncOptions == null ? List.of() : List.copyOf(syncOptions);
    }

    /** Auto-sync is on when {@code automated} is present and not explicitly {@code enabled: false}. */
    public boolean autoSyncEnabled() {
        return automated != null && automated.isObject() && automated.path("enabled").asBoolean(true);
    }

    public boolean selfHeal() {
        return autoSyncEnabled() && automated.path("selfHeal").asBoolean(false);
    }
}

package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The state of an application's current or last operation. {@code phase} is {@code Running},
 * {@code Terminating}, {@code Succeeded}, {@code Failed} or {@code Error}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OperationState(String phase, String message, String startedAt, String finishedAt, JsonNode operation,
                             SyncOperationResult syncResult, Integer retryCount) {

    public boolean finished() {
        return "Succeeded".equals(phase) || "Failed".equals(phase) || "Error".equals(phase);
    }

    public boolean succeeded() {
        return "Succeeded".equals(phase);
    }

    /** The revision the operation synced or is syncing to, when known. */
    public String revision() {
        if (syncResult != null && syncResult.revision() != null) return syncResult.revision();
        if (operation != null) {
            JsonNode r = operation.path("sync").path("revision");
            if (r.isTextual()) return r.asText();
        }
        return null;
    }
}

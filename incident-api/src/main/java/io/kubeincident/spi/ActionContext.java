package io.kubeincident.spi;

import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Incident;
import io.kubernetes.client.openapi.ApiClient;

import java.time.Clock;

/**
 * What an action gets to do its work. The {@link #apiClient()} is the engine's client with finite
 * timeouts; {@link #recordEvent} emits a Kubernetes Event on the touched object.
 */
public interface ActionContext {

    ApiClient apiClient();

    ClusterView cluster();

    ConfigView config();

    Clock clock();

    /** The incident the action serves. */
    Incident incident();

    /**
     * Emits a Kubernetes Event (reason, message) on {@code target}; failures are logged, never thrown.
     */
    void recordEvent(io.kubeincident.api.ResourceRef target, String type, String reason, String message);
}

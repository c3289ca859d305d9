package io.kubeincident.spi;

import io.kubeincident.api.ConfigView;
import io.kubernetes.client.openapi.ApiClient;

import java.time.Clock;
import java.util.Optional;

/**
 * What a {@code *Provider} gets to build its worker: configuration, the Kubernetes client, a clock,
 * the cluster view and the outcome history. Providers read their own prefix ({@code llm.*},
 * {@code argocd.*}) from {@link #config()}.
 */
public interface ProviderContext {

    ConfigView config();

    /** The client for API calls (finite timeouts); empty when the engine runs without a cluster. */
    Optional<ApiClient> apiClient();

    Clock clock();

    ClusterView cluster();

    OutcomeHistory outcomes();
}

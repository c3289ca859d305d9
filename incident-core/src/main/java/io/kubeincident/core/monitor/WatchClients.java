package io.kubeincident.core.monitor;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.auth.ApiKeyAuth;
import io.kubernetes.client.openapi.auth.Authentication;

import java.time.Duration;
import java.util.Map;

/** Derives the client informers need from the engine's client. */
final class WatchClients {

    private WatchClients() {
    }

    /**
     * {@code client} as is when its read timeout is already 0, else a copy with read timeout 0: a watch
     * is an open response that may be idle for minutes, and client-java's informers refuse a finite
     * timeout. The copy shares the OkHttp configuration (TLS, interceptors that refresh credentials),
     * the base path, the JSON codec and the API-key (bearer token) authentication.
     */
    static ApiClient forInformers(ApiClient client) {
        if (client.getHttpClient().readTimeoutMillis() == 0) return client;
        ApiClient copy = new ApiClient(client.getHttpClient().newBuilder().readTimeout(Duration.ZERO).build());
        copy.setBasePath(client.getBasePath());
        copy.setJSON(client.getJSON());
        for (Map.Entry<String, Authentication> e : client.getAuthentications().entrySet()) {
            if (e.getValue() instanceof ApiKeyAuth from && copy.getAuthentication(e.getKey()) instanceof ApiKeyAuth to) {
                to.setApiKey(from.getApiKey());
                to.setApiKeyPrefix(from.getApiKeyPrefix());
            }
        }
        return copy;
    }
}

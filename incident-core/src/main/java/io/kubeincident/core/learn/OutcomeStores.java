package io.kubeincident.core.learn;

import io.kubeincident.api.ConfigView;
import io.kubeincident.spi.OutcomeHistory;
import io.kubernetes.client.openapi.ApiClient;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Builds the outcome store {@code learning.*} asks for.
 *
 * <ul>
 *   <li>{@code learning.store}: {@code file} (the default when {@code learning.file} is set), {@code configmap},
 *       {@code memory} (the default otherwise) or {@code none}</li>
 *   <li>{@code learning.file}: the JSON-lines file</li>
 *   <li>{@code learning.configmap}: {@code namespace/name} of the ConfigMap (default
 *       {@code <runtime.namespace>/kube-incident-outcomes})</li>
 *   <li>{@code learning.max_records} (10000; at most 2000 in a ConfigMap)</li>
 * </ul>
 */
public final class OutcomeStores {

    private OutcomeStores() {
    }

    public static OutcomeHistory fromConfig(ConfigView config, Optional<ApiClient> client) {
        String file = config.getString("learning.file", null);
        String store = config.getString("learning.store", file != null ? "file" : "memory").toLowerCase(Locale.ROOT);
        int max = config.getInt("learning.max_records", 10_000);
        if (max < 1) throw new IllegalArgumentException("learning.max_records must be >= 1, was " + max);
        return switch (store) {
            case "none" -> OutcomeHistory.none();
            case "memory" -> new InMemoryOutcomeHistory(max);
            case "file" -> {
                if (file == null) throw new IllegalArgumentException("learning.store is file but learning.file is not set");
                yield new JsonLinesOutcomeHistory(Path.of(file), max);
            }
            case "configmap" -> {
                ApiClient c = client.orElseThrow(() -> new IllegalArgumentException(
                        "learning.store is configmap but the engine has no ApiClient"));
                String ns = config.getString("runtime.namespace", "default");
                String ref = config.getString("learning.configmap", ns + "/kube-incident-outcomes");
                String[] parts = ref.split("/", 2);
                if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                    throw new IllegalArgumentException("learning.configmap must be namespace/name, was " + ref);
                }
                yield new ConfigMapOutcomeHistory(c, parts[0], parts[1], Math.min(max, 2000));
            }
            default -> throw new IllegalArgumentException("learning.store must be file, configmap, memory or none, was " + store);
        };
    }
}

package io.kubeincident.spi;

/**
 * Found through {@link java.util.ServiceLoader}: creates a {@link RemediationAction} from the engine's context.
 * Implementations have a public no-arg constructor and are registered in
 * {@code META-INF/services/io.kubeincident.spi.RemediationActionProvider}.
 */
public interface RemediationActionProvider {

    /** Builds the worker. May throw for bad configuration: the engine reports it and skips this provider. */
    RemediationAction create(ProviderContext context);

    /** False when this provider should not run with this configuration (e.g. no API key); default true. */
    default boolean enabled(ProviderContext context) {
        return true;
    }
}

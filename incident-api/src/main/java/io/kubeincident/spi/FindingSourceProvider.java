package io.kubeincident.spi;

/**
 * Found through {@link java.util.ServiceLoader}: creates a {@link FindingSource} from the engine's context.
 * Implementations have a public no-arg constructor and are registered in
 * {@code META-INF/services/io.kubeincident.spi.FindingSourceProvider}.
 */
public interface FindingSourceProvider {

    /** Builds the worker. May throw for bad configuration: the engine reports it and skips this provider. */
    FindingSource create(ProviderContext context);

    /** False when this provider should not run with this configuration (e.g. no URL); default true. */
    default boolean enabled(ProviderContext context) {
        return true;
    }
}

package io.kubeincident.spi;

/**
 * Found through {@link java.util.ServiceLoader}: creates an {@link EvidenceContributor} from the engine's
 * context. Implementations have a public no-arg constructor and are registered in
 * {@code META-INF/services/io.kubeincident.spi.EvidenceContributorProvider}.
 */
public interface EvidenceContributorProvider {

    /** Builds the worker. May throw for bad configuration: the engine reports it and skips this provider. */
    EvidenceContributor create(ProviderContext context);

    /** False when this provider should not run with this configuration; default true. */
    default boolean enabled(ProviderContext context) {
        return true;
    }
}

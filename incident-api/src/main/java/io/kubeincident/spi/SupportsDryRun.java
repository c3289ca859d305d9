package io.kubeincident.spi;

/**
 * Marker mix-in: the action honours {@code ActionRequest.dryRun()} with a server-side dry-run
 * ({@code dryRun=All}) that validates the change without persisting it.
 */
public interface SupportsDryRun {
}

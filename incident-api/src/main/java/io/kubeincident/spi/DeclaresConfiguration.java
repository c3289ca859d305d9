package io.kubeincident.spi;

import io.kubeincident.api.ConfigKeys;

/**
 * Mix-in for a provider (or a hand-added worker) that reads configuration: it declares every key it
 * reads, including its action's {@code remediation.enable_*} switch. The engine refuses to build when the
 * configuration holds a key that no part declares, or a value of the wrong kind, so a provider that reads
 * keys without declaring them makes every use of them an error. Declared keys are checked whether or not
 * the provider is enabled, so that switching a provider off never turns its keys into errors.
 */
public interface DeclaresConfiguration {

    /** The keys this part reads; called once per build, on any thread. Never null. */
    ConfigKeys configKeys();
}

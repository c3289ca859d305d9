package io.kubeincident.argocd;

import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.ProviderContext;

/**
 * Creates {@link ArgoSyncAction} for the engine. Enabled when {@code argocd.server_url} is set (and {@code argocd.enabled}
 * is not false); throws {@link ArgoCdConfigException} listing every problem of bad {@code argocd.*} configuration.
 */
public final class ArgoSyncActionProvider implements RemediationActionProvider, io.kubeincident.spi.DeclaresConfiguration {

    @Override
    public io.kubeincident.api.ConfigKeys configKeys() {
        return ArgoCdConfig.CONFIG_KEYS;
    }

    @Override
    public boolean enabled(ProviderContext context) {
        return ArgoCdConfig.enabled(context.config());
    }

    @Override
    public RemediationAction create(ProviderContext context) {
        return new ArgoSyncAction(ArgoCd.shared(context));
    }
}

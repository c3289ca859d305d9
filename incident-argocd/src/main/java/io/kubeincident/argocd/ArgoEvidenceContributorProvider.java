package io.kubeincident.argocd;

import io.kubeincident.spi.EvidenceContributorProvider;
import io.kubeincident.spi.EvidenceContributor;
import io.kubeincident.spi.ProviderContext;

/**
 * Creates {@link ArgoEvidenceContributor} for the engine. Enabled when {@code argocd.server_url} is set (and {@code argocd.enabled}
 * is not false); throws {@link ArgoCdConfigException} listing every problem of bad {@code argocd.*} configuration.
 */
public final class ArgoEvidenceContributorProvider implements EvidenceContributorProvider, io.kubeincident.spi.DeclaresConfiguration {

    @Override
    public io.kubeincident.api.ConfigKeys configKeys() {
        return ArgoCdConfig.CONFIG_KEYS;
    }

    @Override
    public boolean enabled(ProviderContext context) {
        return ArgoCdConfig.enabled(context.config());
    }

    @Override
    public EvidenceContributor create(ProviderContext context) {
        return new ArgoEvidenceContributor(ArgoCd.shared(context));
    }
}

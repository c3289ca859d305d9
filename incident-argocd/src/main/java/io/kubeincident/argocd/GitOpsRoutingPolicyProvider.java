package io.kubeincident.argocd;

import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.ProviderContext;

/**
 * Creates {@link GitOpsRoutingPolicy} for the engine. Enabled when {@code argocd.server_url} is set (and {@code argocd.enabled}
 * is not false); throws {@link ArgoCdConfigException} listing every problem of bad {@code argocd.*} configuration.
 */
public final class GitOpsRoutingPolicyProvider implements SafetyPolicyProvider, io.kubeincident.spi.DeclaresConfiguration {

    @Override
    public io.kubeincident.api.ConfigKeys configKeys() {
        return ArgoCdConfig.CONFIG_KEYS;
    }

    @Override
    public boolean enabled(ProviderContext context) {
        return ArgoCdConfig.enabled(context.config());
    }

    @Override
    public SafetyPolicy create(ProviderContext context) {
        return new GitOpsRoutingPolicy(ArgoCd.shared(context));
    }
}

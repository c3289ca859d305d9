package io.kubeincident.argocd;

import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.ProviderContext;

/**
 * Creates {@link ArgoDegradedDetector} for the engine. Enabled when {@code argocd.server_url} is set (and {@code argocd.enabled}
 * is not false); throws {@link ArgoCdConfigException} listing every problem of bad {@code argocd.*} configuration.
 */
public final class ArgoDegradedDetectorProvider implements DetectorProvider, io.kubeincident.spi.DeclaresConfiguration {

    @Override
    public io.kubeincident.api.ConfigKeys configKeys() {
        return ArgoCdConfig.CONFIG_KEYS;
    }

    @Override
    public boolean enabled(ProviderContext context) {
        return ArgoCdConfig.enabled(context.config());
    }

    @Override
    public Detector create(ProviderContext context) {
        return new ArgoDegradedDetector(ArgoCd.shared(context));
    }
}

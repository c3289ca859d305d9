package io.kubeincident.core.action;

import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;

/** Registers {@link ScaleAction} with the {@code safety.*} limits. */
public final class ScaleActionProvider implements RemediationActionProvider {
    @Override
    public RemediationAction create(ProviderContext context) {
        return new ScaleAction(KubeApi.from(context.config()), SafetyConfig.from(context.config()));
    }
}

package io.kubeincident.core.action;

import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;

/** Registers {@link AdjustResourcesAction} with the {@code safety.*} caps. */
public final class AdjustResourcesActionProvider implements RemediationActionProvider {
    @Override
    public RemediationAction create(ProviderContext context) {
        return new AdjustResourcesAction(KubeApi.from(context.config()), SafetyConfig.from(context.config()));
    }
}

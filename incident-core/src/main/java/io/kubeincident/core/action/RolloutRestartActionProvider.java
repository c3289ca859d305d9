package io.kubeincident.core.action;

import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;

/** Registers {@link RolloutRestartAction}. */
public final class RolloutRestartActionProvider implements RemediationActionProvider {
    @Override
    public RemediationAction create(ProviderContext context) {
        return new RolloutRestartAction(KubeApi.from(context.config()));
    }
}

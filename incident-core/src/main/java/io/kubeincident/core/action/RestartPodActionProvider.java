package io.kubeincident.core.action;

import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;

/** Registers {@link RestartPodAction}. */
public final class RestartPodActionProvider implements RemediationActionProvider {
    @Override
    public RemediationAction create(ProviderContext context) {
        return new RestartPodAction(KubeApi.from(context.config()));
    }
}

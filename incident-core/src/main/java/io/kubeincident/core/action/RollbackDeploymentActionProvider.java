package io.kubeincident.core.action;

import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;

/** Registers {@link RollbackDeploymentAction}. */
public final class RollbackDeploymentActionProvider implements RemediationActionProvider {
    @Override
    public RemediationAction create(ProviderContext context) {
        return new RollbackDeploymentAction(KubeApi.from(context.config()));
    }
}

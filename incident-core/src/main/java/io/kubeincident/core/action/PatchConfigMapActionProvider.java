package io.kubeincident.core.action;

import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;

/** Registers {@link PatchConfigMapAction}. */
public final class PatchConfigMapActionProvider implements RemediationActionProvider {
    @Override
    public RemediationAction create(ProviderContext context) {
        return new PatchConfigMapAction(KubeApi.from(context.config()));
    }
}

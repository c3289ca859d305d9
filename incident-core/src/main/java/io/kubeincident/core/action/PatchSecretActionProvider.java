package io.kubeincident.core.action;

import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;

/** Registers {@link PatchSecretAction}, with its previous values kept in memory for undo. */
public final class PatchSecretActionProvider implements RemediationActionProvider {
    @Override
    public RemediationAction create(ProviderContext context) {
        return new PatchSecretAction(KubeApi.from(context.config()), SecretUndoVault.defaults(context.clock()));
    }
}

package io.kubeincident.core.safety;

import io.kubeincident.spi.RemediationAction;

import java.util.Collection;

/**
 * Mix-in for policies that need to know the registered actions (their enable keys, permissions): the engine
 * hands them the catalog once, after every provider is built and before the first plan.
 */
public interface ActionCatalogAware {

    void catalog(Collection<RemediationAction> actions);
}

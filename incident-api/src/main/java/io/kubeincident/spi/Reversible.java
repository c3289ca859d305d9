package io.kubeincident.spi;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;

/**
 * Mix-in for actions that can be undone when verification finds they made things worse.
 */
public interface Reversible {

    /**
     * Reverts what {@code applied} did, using its {@link ActionResult.Applied#undoState()}.
     * Same rules as {@link RemediationAction#execute}: outcomes as values, idempotent.
     */
    ActionResult undo(ActionRequest original, ActionResult.Applied applied, ActionContext context);
}

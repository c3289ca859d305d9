package io.kubeincident.spi;

import io.kubeincident.api.ActionResult;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.PlannedAction;

/**
 * Hooks for notifications and hosts. Called synchronously from engine threads: implementations must be
 * quick (hand slow work, such as webhooks, to their own executor) and must not throw; an exception is
 * logged and ignored. Messages passed here are already redacted.
 */
public interface IncidentListener {

    default void onIncidentOpened(Incident incident) {
    }

    default void onIncidentAnalyzed(IncidentReport report) {
    }

    default void onApprovalRequested(Incident incident, PlannedAction action, String approvalId) {
    }

    default void onActionExecuted(Incident incident, PlannedAction action, ActionResult result) {
    }

    default void onIncidentResolved(Incident incident) {
    }

    default void onIncidentEscalated(Incident incident, String reason) {
    }
}

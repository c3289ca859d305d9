package io.kubeincident.api;

/** Where an incident is in its life. */
public enum IncidentState {
    /** Findings are present and nothing has been done yet. */
    OPEN,
    /** An action was executed or is waiting for approval; verification is under way. */
    REMEDIATING,
    /** The findings cleared for the quiet period. */
    RESOLVED,
    /** Automation gave up (retry budget spent, action made it worse, or no safe action): a human owns it. */
    ESCALATED
}

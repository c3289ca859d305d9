package io.kubeincident.spi;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Incident;

import java.time.Clock;
import java.util.Optional;

/** What a safety policy may consult about one planned action. */
public interface SafetyContext {

    Incident incident();

    /** The registered action for the plan's type, if any (an unregistered type is denied before policies run). */
    Optional<ActionDescriptor> action(String actionType);

    /** Whether the engine runs in dry-run mode for this plan. */
    boolean dryRun();

    ClusterView cluster();

    ConfigView config();

    Clock clock();

    ActionHistory history();

    /** The owner chain of a resource up to its root, as the engine resolved it (the resource first). */
    java.util.List<io.kubeincident.api.ResourceRef> ownerChain(io.kubeincident.api.ResourceRef ref);

    /**
     * The diagnosis the plan came from, the evidence behind it, whether a generative analyzer wrote it and
     * the engine's independent second opinion. Empty when the engine judges an action outside an analysis
     * (a policy then has nothing to corroborate with and should judge the action on its own).
     */
    default Optional<io.kubeincident.api.AnalysisProvenance> provenance() {
        return Optional.empty();
    }
}

package io.kubeincident.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A group of findings that share one root cause candidate: all crash-looping pods of one Deployment,
 * all pods of one NotReady node.
 *
 * @param id           unique per occurrence (carried by every audit record)
 * @param fingerprint  stable across pod restarts and engine restarts: type + root resource (uid-free)
 * @param type         incident type id
 * @param severity     the highest severity of its findings
 * @param rootResource the root owner (Deployment, StatefulSet, Node, ...) or the object itself
 * @param resources    every object the incident involves (root first); this is the blast radius
 *                     within which actions may act
 * @param findings     the findings folded into it
 * @param state        where it is in its life
 * @param openedAt     when it was opened
 * @param updatedAt    when it last changed
 */
public record Incident(String id, String fingerprint, String type, Severity severity, ResourceRef rootResource,
                       List<ResourceRef> resources, List<Finding> findings, IncidentState state,
                       Instant openedAt, Instant updatedAt) {

    public Incident {
        if (id == null || id.isBlank()) throw new IllegalArgumentException("id is required");
        if (fingerprint == null || fingerprint.isBlank()) throw new IllegalArgumentException("fingerprint is required");
        Ids.requireKebab(type, "type");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(rootResource, "rootResource");
        resources = resources == null ? List.of(rootResource) : List.copyOf(resources);
        findings = findings == null ? List.of() : List.copyOf(findings);
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(openedAt, "openedAt");
        updatedAt = updatedAt == null ? openedAt : updatedAt;
    }

    /** True when {@code ref} is the root or one of the incident's resources. */
    public boolean involves(ResourceRef ref) {
        if (rootResource.sameTarget(ref)) return true;
        for (ResourceRef r : resources) {
            if (r.sameTarget(ref)) return true;
        }
        return false;
    }

    public Incident withState(IncidentState newState, Instant at) {
        return new Incident(id, fingerprint, type, severity, rootResource, resources, findings, newState, openedAt, at);
    }

    /** The namespace the incident lives in, or {@code null} for cluster-scoped roots. */
    public String namespace() {
        return rootResource.namespace();
    }
}

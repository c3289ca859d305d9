package io.kubeincident.spi;

import io.kubeincident.api.Incident;

import java.util.Map;

/**
 * Adds facts to an incident's evidence from a source the engine does not know, e.g. the Argo CD
 * application that manages the incident's workload (sync and health status, the last deployments).
 *
 * <p>Contract: called by the engine's evidence stage once per incident analysis, possibly concurrently for
 * different incidents; may do network calls bounded by its own timeouts; returns an empty map when it has
 * nothing to add, never {@code null}. Keys are camelCase and start with the contributor's subject
 * ({@code argocdApp}); values are short single lines. The engine redacts the facts like all other evidence
 * and keeps its own facts when keys collide. A thrown exception is logged and ignored.
 */
public interface EvidenceContributor {

    /** Stable kebab-case id, for logs and audit. */
    String id();

    Map<String, String> facts(Incident incident, ClusterView cluster);
}

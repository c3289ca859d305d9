package io.kubeincident.argocd;

import io.kubeincident.api.Incident;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.EvidenceContributor;

import java.util.Map;

/** Adds the {@link ArgoEvidence} facts to an incident's evidence ({@code argocd-evidence}). */
public final class ArgoEvidenceContributor implements EvidenceContributor {
    public static final String ID = "argocd-evidence";

    private final ArgoEvidence evidence;

    public ArgoEvidenceContributor(ArgoCd argo) {
        this.evidence = new ArgoEvidence(argo);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Map<String, String> facts(Incident incident, ClusterView cluster) {
        return evidence.facts(incident, cluster);
    }
}

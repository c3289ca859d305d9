package io.kubeincident.core.correlate;

import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.ClusterView;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Folds findings into incidents by (incident type, root owner): all crash-looping pods of one Deployment
 * are one incident. The fingerprint is {@code type:rootKey}, stable across pod and engine restarts.
 */
public final class Correlator {

    public List<Incident> correlate(List<Finding> findings, ClusterView view, Instant now) {
        Map<String, List<Finding>> groups = new LinkedHashMap<>();
        Map<String, ResourceRef> roots = new LinkedHashMap<>();
        Map<String, Set<ResourceRef>> members = new LinkedHashMap<>();
        for (Finding f : findings) {
            List<ResourceRef> chain = OwnerChains.chain(f.resource(), view);
            ResourceRef root = chain.get(chain.size() - 1);
            String fp = fingerprint(f.incidentType(), root);
            groups.computeIfAbsent(fp, k -> new ArrayList<>()).add(f);
            roots.putIfAbsent(fp, root);
            Set<ResourceRef> set = members.computeIfAbsent(fp, k -> new LinkedHashSet<>());
            set.add(root);
            for (int i = chain.size() - 1; i >= 0; i--) set.add(chain.get(i));
        }
        List<Incident> incidents = new ArrayList<>();
        groups.forEach((fp, fs) -> {
            Severity severity = fs.stream().map(Finding::severity).reduce(Severity.INFO, Severity::max);
            Instant opened = fs.stream().map(Finding::observedAt).min(Instant::compareTo).orElse(now);
            incidents.add(new Incident(newId(fs.get(0).incidentType()), fp, fs.get(0).incidentType(), severity,
                    roots.get(fp), List.copyOf(members.get(fp)), fs, IncidentState.OPEN, opened, now));
        });
        return incidents;
    }

    public static String fingerprint(String type, ResourceRef root) {
        return type + ":" + root.key();
    }

    static String newId(String type) {
        return type + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}

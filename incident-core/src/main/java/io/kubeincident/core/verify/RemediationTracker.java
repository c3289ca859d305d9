package io.kubeincident.core.verify;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.Incident;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.spi.ClusterView;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The incidents an action was applied to, each watched until its {@link Verification} concludes. The engine
 * feeds it one look per sweep ({@link #observe}) with the cluster view and the ids of the incidents still
 * detected (by incident id: an incident's type, and so its fingerprint, can change while it is open), and carries out the {@link FollowUp} of each conclusion. Thread-safe.
 */
public final class RemediationTracker {

    /** One applied action under watch. */
    public record Tracked(Incident incident, String category, PlannedAction action, ActionRequest request,
                          ActionResult.Applied applied, boolean reversible, Verification verification) {
    }

    /** A watch that concluded, with what it found. */
    public record Concluded(Tracked tracked, Verification.Observation observation) {
    }

    private final VerificationConfig config;
    private final Map<String, Tracked> byIncident = new LinkedHashMap<>();

    public RemediationTracker(VerificationConfig config) {
        this.config = config;
    }

    public VerificationConfig config() {
        return config;
    }

    /**
     * Starts watching {@code incident} after {@code applied}; {@code baseline} is its root's health read just
     * before the action. A newer action on the same incident replaces the older watch.
     */
    public synchronized Tracked start(Incident incident, String category, PlannedAction action, ActionRequest request,
                                      ActionResult.Applied applied, boolean reversible, HealthSnapshot baseline, Instant at) {
        Tracked t = new Tracked(incident, category, action, request, applied, reversible,
                new Verification(baseline, at, config.window(), config.stableObservations()));
        byIncident.put(incident.id(), t);
        return t;
    }

    public synchronized boolean tracking(String incidentId) {
        return byIncident.containsKey(incidentId);
    }

    public synchronized Optional<Tracked> get(String incidentId) {
        return Optional.ofNullable(byIncident.get(incidentId));
    }

    public synchronized List<Tracked> all() {
        return List.copyOf(byIncident.values());
    }

    public synchronized void forget(String incidentId) {
        byIncident.remove(incidentId);
    }

    /** One look at every watched incident; the concluded ones are returned and no longer watched. */
    public synchronized List<Concluded> observe(ClusterView view, Set<String> detectedIds, Instant now) {
        List<Concluded> out = new ArrayList<>();
        for (var it = byIncident.values().iterator(); it.hasNext(); ) {
            Tracked t = it.next();
            HealthSnapshot health = HealthProbe.of(t.incident().rootResource(), view);
            Verification.Observation o = t.verification().observe(health,
                    detectedIds.contains(t.incident().id()), now);
            if (o.done()) {
                out.add(new Concluded(t, o));
                it.remove();
            }
        }
        return out;
    }
}

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
 * feeds it one look per sweep ({@link #observe}) with the sweep's cluster view and the fingerprints still
 * detected, and carries out the {@link FollowUp} of each conclusion. Thread-safe.
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
    private final Map<String, Tracked> byFingerprint = new LinkedHashMap<>();

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
        byFingerprint.put(incident.fingerprint(), t);
        return t;
    }

    public synchronized boolean tracking(String fingerprint) {
        return byFingerprint.containsKey(fingerprint);
    }

    public synchronized Optional<Tracked> get(String fingerprint) {
        return Optional.ofNullable(byFingerprint.get(fingerprint));
    }

    public synchronized List<Tracked> all() {
        return List.copyOf(byFingerprint.values());
    }

    public synchronized void forget(String fingerprint) {
        byFingerprint.remove(fingerprint);
    }

    /** One look at every watched incident; the concluded ones are returned and no longer watched. */
    public synchronized List<Concluded> observe(ClusterView view, Set<String> detectedFingerprints, Instant now) {
        List<Concluded> out = new ArrayList<>();
        for (var it = byFingerprint.values().iterator(); it.hasNext(); ) {
            Tracked t = it.next();
            HealthSnapshot health = HealthProbe.of(t.incident().rootResource(), view);
            Verification.Observation o = t.verification().observe(health,
                    detectedFingerprints.contains(t.incident().fingerprint()), now);
            if (o.done()) {
                out.add(new Concluded(t, o));
                it.remove();
            }
        }
        return out;
    }
}

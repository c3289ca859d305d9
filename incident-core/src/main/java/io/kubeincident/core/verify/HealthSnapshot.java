package io.kubeincident.core.verify;

import java.util.List;
import java.util.Map;

/**
 * The health of an incident's root object at one moment, as verification compares it.
 *
 * @param known      whether the root is a kind whose health can be read (workloads, pods, nodes)
 * @param exists     whether the root object exists
 * @param desired    replicas it should have (1 for a pod or node)
 * @param ready      ready pods (or 1 for a Ready node)
 * @param available  available replicas as the workload's status says ({@code ready} where there is none)
 * @param notReady   pods that exist but are not ready (not counting ones being deleted)
 * @param restarts   container restarts per pod uid, to see whether pods keep crashing between two looks
 * @param problems   what is unhealthy, for humans
 */
public record HealthSnapshot(boolean known, boolean exists, int desired, int ready, int available, int notReady,
                             Map<String, Integer> restarts, List<String> problems) {

    public HealthSnapshot {
        restarts = restarts == null ? Map.of() : Map.copyOf(restarts);
        problems = problems == null ? List.of() : List.copyOf(problems);
    }

    public static HealthSnapshot unknown(String why) {
        return new HealthSnapshot(false, true, 0, 0, 0, 0, Map.of(), List.of(why));
    }

    public static HealthSnapshot gone(String what) {
        return new HealthSnapshot(true, false, 0, 0, 0, 0, Map.of(), List.of(what + " does not exist"));
    }

    /** Whether this snapshot alone looks healthy: every desired replica ready and nothing not-ready. */
    public boolean looksHealthy() {
        return known && exists && ready >= desired && available >= desired && notReady == 0;
    }

    /** Pods that restarted since {@code earlier} (compared per pod uid; replaced pods do not count). */
    public int restartedSince(HealthSnapshot earlier) {
        int n = 0;
        for (Map.Entry<String, Integer> e : restarts.entrySet()) {
            Integer before = earlier.restarts().get(e.getKey());
            if (before != null && e.getValue() > before) n++;
        }
        return n;
    }

    /** Whether this is worse than {@code baseline}: gone, fewer ready or available replicas. */
    public boolean worseThan(HealthSnapshot baseline) {
        if (!baseline.known || !known) return false;
        if (baseline.exists && !exists) return true;
        return ready < baseline.ready || available < baseline.available;
    }

    public String summary() {
        if (!known) return "health unknown" + (problems.isEmpty() ? "" : ": " + problems.get(0));
        if (!exists) return "gone";
        return ready + "/" + desired + " ready, " + available + " available" + (notReady > 0 ? ", " + notReady + " not ready" : "")
                + (problems.isEmpty() ? "" : " (" + String.join("; ", problems.subList(0, Math.min(3, problems.size()))) + ")");
    }
}

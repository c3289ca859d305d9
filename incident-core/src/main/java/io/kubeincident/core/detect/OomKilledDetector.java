package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Pod;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Containers killed for memory (last state OOMKilled, or exit 137 under a memory limit without a
 * liveness failure to explain it) within {@code detection.oom_window}, unless the container has run
 * healthily for {@code detection.crash_loop_recovery} since.
 */
public final class OomKilledDetector implements Detector {

    public static final String ID = "oom-killed";

    private final DetectionConfig config;

    public OomKilledDetector(DetectionConfig config) {
        this.config = config;
    }

    public OomKilledDetector() {
        this(DetectionConfig.defaults());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> kinds() {
        return Set.of("Pod");
    }

    @Override
    public Set<String> incidentTypes() {
        return Set.of(IncidentTypes.OOM_KILLED);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Pod pod) || Pods.terminating(pod)) return Detector.none();
        Instant now = context.now();
        Pods.Container hit = null;
        Instant hitAt = null;
        for (Pods.Container c : Pods.containers(pod)) {
            if (!Pods.oomKilled(pod, c, context.cluster())) continue;
            Instant at = Pods.terminatedAt(c);
            if (!Conditions.within(at, now, config.oomWindow())) continue;
            if (c.running() && Conditions.olderThan(c.runningSince(), now, config.crashLoopRecovery())) continue;
            if (hit == null || c.restarts() > hit.restarts()) {
                hit = c;
                hitAt = at;
            }
        }
        if (hit == null) return Detector.none();
        String limit = Pods.memoryLimit(pod, hit.name());
        String exit = hit.terminated().or(hit::lastTerminated).map(t -> String.valueOf(t.getExitCode())).orElse("137");
        FindingBuilder b = ContainerFindings.forContainer(ID, IncidentTypes.OOM_KILLED, Severity.HIGH, pod, hit, "OOMKilled")
                .fact("memoryRequest", Pods.memoryRequest(pod, hit.name()))
                .fact("message", hit.terminated().or(hit::lastTerminated).map(t -> t.getMessage()).orElse(null))
                .observedAt(hitAt)
                .message("container " + hit.name() + " of pod " + pod.getMetadata().getName()
                        + " was OOM-killed (exit " + exit + ", memory limit " + (limit == null ? "none" : limit)
                        + ", " + hit.restarts() + " restarts)");
        return List.of(b.build(now));
    }
}

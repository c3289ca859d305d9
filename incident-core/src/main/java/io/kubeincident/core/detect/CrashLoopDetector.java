package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1Pod;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Containers that keep crashing: waiting in CrashLoopBackOff with at least
 * {@code detection.crash_loop_min_restarts} restarts, or, after three or more, running again briefly after a
 * failed run (between two back-offs). OOM kills are left to {@link OomKilledDetector} so one pod gives one type.
 */
public final class CrashLoopDetector implements Detector {

    public static final String ID = "crash-loop";
    static final int RUNNING_MIN_RESTARTS = 3;

    /** The first slice's name for {@link CrashLoopDetectorProvider}, kept so existing references resolve. */
    public static final class Provider implements io.kubeincident.spi.DetectorProvider {
        private final CrashLoopDetectorProvider delegate = new CrashLoopDetectorProvider();

        @Override
        public Detector create(io.kubeincident.spi.ProviderContext context) {
            return delegate.create(context);
        }

        @Override
        public boolean enabled(io.kubeincident.spi.ProviderContext context) {
            return delegate.enabled(context);
        }
    }

    private final DetectionConfig config;

    public CrashLoopDetector(DetectionConfig config) {
        this.config = config;
    }

    public CrashLoopDetector() {
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
        return Set.of(IncidentTypes.CRASH_LOOP);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Pod pod) || Pods.terminating(pod)) return Detector.none();
        Instant now = context.now();
        List<Pods.Container> looping = new ArrayList<>();
        for (Pods.Container c : Pods.containers(pod)) {
            if (c.restarts() < config.crashLoopMinRestarts()) continue;
            if (Pods.oomKilled(pod, c, context.cluster())) continue;
            boolean backOff = "CrashLoopBackOff".equals(c.waitingReason());
            // Between two back-offs the container runs again; only a container that failed several times counts
            // then, or one crash followed by a recovery would look like a loop for the whole recovery window.
            boolean justRestartedAfterFailure = c.running() && c.restarts() >= Math.max(config.crashLoopMinRestarts(), RUNNING_MIN_RESTARTS)
                    && c.lastTerminated().map(t -> t.getExitCode() != null && t.getExitCode() != 0).orElse(false)
                    && Conditions.within(c.runningSince(), now, config.crashLoopRecovery());
            if (backOff || justRestartedAfterFailure) looping.add(c);
        }
        if (looping.isEmpty()) return Detector.none();
        Pods.Container worst = looping.stream().max((a, b) -> Integer.compare(a.restarts(), b.restarts())).get();
        String lastMessage = worst.lastTerminated().map(V1ContainerStateTerminated::getMessage).orElse(null);
        String waitingMessage = ContainerFindings.waitingMessage(worst);
        String exit = worst.lastTerminated().map(t -> String.valueOf(t.getExitCode())).orElse("?");
        FindingBuilder b = ContainerFindings.forContainer(ID, IncidentTypes.CRASH_LOOP, Severity.HIGH, pod, worst,
                        "CrashLoopBackOff")
                .fact("message", lastMessage != null ? lastMessage : waitingMessage)
                .fact("containers", String.join(",", looping.stream().map(Pods.Container::name).toList()))
                .observedAt(worst.lastTerminated().map(t -> Refs.instant(t.getFinishedAt())).orElse(Pods.startTime(pod)))
                .message("container " + worst.name() + " of pod " + pod.getMetadata().getName() + " is crash-looping: "
                        + worst.restarts() + " restarts, last exit code " + exit
                        + worst.lastTerminated().map(t -> t.getReason() == null ? "" : " (" + t.getReason() + ")").orElse(""));
        return List.of(b.build(now));
    }
}

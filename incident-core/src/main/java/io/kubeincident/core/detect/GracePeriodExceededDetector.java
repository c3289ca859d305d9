package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1Pod;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Containers the kubelet asked to stop (a Killing event for the container, a failing liveness or startup
 * probe, the pod's activeDeadlineSeconds) that were still running when the grace period ran out and died of
 * SIGKILL (exit 137, reason Error), within {@code detection.oom_window} and not recovered for
 * {@code detection.crash_loop_recovery}. Exit 137 is not an OOM kill here: the fix is the shutdown (SIGTERM
 * handling, preStop hook, terminationGracePeriodSeconds), not the memory limit. Evicted pods are the evicted
 * detector's; pods being deleted are not reported.
 */
public final class GracePeriodExceededDetector implements Detector {

    public static final String ID = "grace-period-exceeded";

    static final long DEFAULT_GRACE_SECONDS = 30;

    private final DetectionConfig config;

    public GracePeriodExceededDetector(DetectionConfig config) {
        this.config = config;
    }

    public GracePeriodExceededDetector() {
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
        return Set.of(IncidentTypes.GRACE_PERIOD_EXCEEDED);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Pod pod) || Pods.terminating(pod) || Pods.evicted(pod)) return Detector.none();
        Instant now = context.now();
        for (Pods.Container c : Pods.containers(pod)) {
            V1ContainerStateTerminated t = c.terminated().or(c::lastTerminated).orElse(null);
            if (t == null || !Pods.sigkilled(t)) continue;
            Instant at = Pods.terminatedAt(c);
            if (!Conditions.within(at, now, config.oomWindow())) continue;
            if (c.running() && Conditions.olderThan(c.runningSince(), now, config.crashLoopRecovery())) continue;
            String stop = Pods.stopRequest(pod, c, context.cluster());
            if (stop == null) continue;
            long grace = pod.getSpec() != null && pod.getSpec().getTerminationGracePeriodSeconds() != null
                    ? pod.getSpec().getTerminationGracePeriodSeconds() : DEFAULT_GRACE_SECONDS;
            boolean preStop = Pods.spec(pod, c.name()).map(V1Container::getLifecycle).map(l -> l.getPreStop() != null).orElse(false);
            return List.of(ContainerFindings.forContainer(ID, IncidentTypes.GRACE_PERIOD_EXCEEDED, Severity.MEDIUM, pod, c,
                            "GracePeriodExceeded")
                    .fact("stopReason", stop)
                    .fact("gracePeriodSeconds", grace)
                    .fact("preStopHook", preStop ? "true" : "false")
                    .observedAt(at)
                    .message("container " + c.name() + " of pod " + pod.getMetadata().getName()
                            + " did not stop within its " + grace + "s grace period and was killed (exit 137) after: " + stop)
                    .build(now));
        }
        return Detector.none();
    }
}

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
import io.kubernetes.client.openapi.models.V1PodCondition;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Configuration defect: a bare run-once pod (no owner at all, {@code restartPolicy} Never or OnFailure)
 * in phase Failed within {@code detection.job_failed_window}. Nothing will retry it; a Job would. Low
 * severity, never acted on. Pods of a Job (retried within its backoff limit, judged by the job-failed
 * detector) or of any other controller, pods that succeeded, restartPolicy Always pods and evicted pods
 * are not reported.
 */
public final class BarePodFailedDetector implements Detector {

    public static final String ID = "bare-pod-failed";

    private final DetectionConfig config;

    public BarePodFailedDetector(DetectionConfig config) {
        this.config = config;
    }

    public BarePodFailedDetector() {
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
        return Set.of(IncidentTypes.BARE_POD_FAILED);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Pod pod) || pod.getSpec() == null || !"Failed".equals(Pods.phase(pod))
                || Pods.evicted(pod) || Pods.terminating(pod) || owned(pod)) {
            return Detector.none();
        }
        String policy = pod.getSpec().getRestartPolicy();
        if (!"Never".equals(policy) && !"OnFailure".equals(policy)) return Detector.none();
        Instant now = context.now();
        Instant at = failedAt(pod);
        if (!Conditions.within(at, now, config.jobFailedWindow())) return Detector.none();
        Pods.Container failed = Pods.containers(pod).stream()
                .filter(c -> c.terminated().map(t -> t.getExitCode() != null && t.getExitCode() != 0).orElse(false))
                .findFirst().orElse(null);
        String podReason = pod.getStatus().getReason();
        FindingBuilder b = failed != null
                ? ContainerFindings.forContainer(ID, IncidentTypes.BARE_POD_FAILED, Severity.LOW, pod, failed, "Failed")
                : ContainerFindings.forPod(ID, IncidentTypes.BARE_POD_FAILED, Severity.LOW, pod, "Failed");
        String message = pod.getStatus().getMessage();
        if (message == null && failed != null) message = failed.terminated().map(V1ContainerStateTerminated::getMessage).orElse(null);
        String exit = failed == null ? null : failed.terminated().map(t -> String.valueOf(t.getExitCode())).orElse(null);
        return List.of(b.fact("restartPolicy", policy)
                .fact("podReason", podReason)
                .fact("message", message)
                .observedAt(at)
                .message("bare pod " + pod.getMetadata().getName() + " (restartPolicy " + policy + ", no controller) failed"
                        + (podReason == null ? "" : " (" + podReason + ")")
                        + (failed == null ? "" : ": container " + failed.name() + " exited with code " + exit)
                        + "; nothing will run it again")
                .build(now));
    }

    /** Any owner, controller or not (an operator's pod, a pod kept for garbage collection) means it is not bare. */
    private static boolean owned(V1Pod pod) {
        return pod.getMetadata().getOwnerReferences() != null && !pod.getMetadata().getOwnerReferences().isEmpty();
    }

    /** The last container end, else the Ready transition, else the start. */
    private static Instant failedAt(V1Pod pod) {
        Instant last = null;
        for (Pods.Container c : Pods.containers(pod)) {
            Instant t = c.terminated().map(V1ContainerStateTerminated::getFinishedAt).map(Refs::instant).orElse(null);
            if (t != null && (last == null || t.isAfter(last))) last = t;
        }
        if (last != null) return last;
        Instant ready = Pods.condition(pod, "Ready").map(V1PodCondition::getLastTransitionTime).map(Refs::instant).orElse(null);
        return ready != null ? ready : Pods.startTime(pod);
    }
}

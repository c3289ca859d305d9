package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobCondition;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Jobs that failed for good (Failed=True: BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy, ...)
 * within {@code detection.job_failed_window}.
 */
public final class JobFailedDetector implements Detector {

    public static final String ID = "job-failed";

    private final DetectionConfig config;

    public JobFailedDetector(DetectionConfig config) {
        this.config = config;
    }

    public JobFailedDetector() {
        this(DetectionConfig.defaults());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> kinds() {
        return Set.of("Job");
    }

    @Override
    public Set<String> incidentTypes() {
        return Set.of(IncidentTypes.JOB_FAILED);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Job job) || job.getStatus() == null) return Detector.none();
        Optional<V1JobCondition> failed = Conditions.find(job.getStatus().getConditions(), V1JobCondition::getType, "Failed");
        if (failed.isEmpty() || !"True".equals(failed.get().getStatus())) return Detector.none();
        Instant now = context.now();
        Instant at = Refs.instant(failed.get().getLastTransitionTime());
        if (at == null) at = Refs.created(job);
        if (!Conditions.within(at, now, config.jobFailedWindow())) return Detector.none();
        String reason = failed.get().getReason() == null ? "Failed" : failed.get().getReason();
        FindingBuilder b = FindingBuilder.of(ID, IncidentTypes.JOB_FAILED, Severity.MEDIUM, Refs.of(job))
                .fact("reason", reason)
                .fact("message", failed.get().getMessage())
                .fact("failedPods", job.getStatus().getFailed())
                .fact("backoffLimit", job.getSpec() == null ? null : job.getSpec().getBackoffLimit())
                .fact("activeDeadlineSeconds", job.getSpec() == null ? null : job.getSpec().getActiveDeadlineSeconds())
                .observedAt(at)
                .message("job " + job.getMetadata().getName() + " failed: " + reason
                        + (failed.get().getMessage() == null ? "" : ": " + failed.get().getMessage()));
        Refs.controller(job).ifPresent(o -> b.fact("ownerKind", o.getKind()).fact("ownerName", o.getName()));
        return List.of(b.build(now));
    }
}

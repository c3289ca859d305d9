package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * PersistentVolumeClaims Pending for longer than {@code detection.pvc_pending_threshold}, with the
 * provisioner's ProvisioningFailed message. A claim whose only news is WaitForFirstConsumer is waiting
 * for a pod by design and is not reported.
 */
public final class PvcPendingDetector implements Detector {

    public static final String ID = "pvc-pending";

    private final DetectionConfig config;

    public PvcPendingDetector(DetectionConfig config) {
        this.config = config;
    }

    public PvcPendingDetector() {
        this(DetectionConfig.defaults());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> kinds() {
        return Set.of("PersistentVolumeClaim");
    }

    @Override
    public Set<String> incidentTypes() {
        return Set.of(IncidentTypes.PVC_PENDING);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1PersistentVolumeClaim pvc) || pvc.getStatus() == null
                || !"Pending".equals(pvc.getStatus().getPhase()) || pvc.getMetadata().getDeletionTimestamp() != null) {
            return Detector.none();
        }
        Instant now = context.now();
        Instant since = Refs.created(pvc);
        if (!Conditions.olderThan(since, now, config.pvcPendingThreshold())) return Detector.none();
        List<CoreV1Event> events = new ArrayList<>(context.cluster().eventsFor(Refs.of(pvc)));
        events.sort(Comparator.comparing(Pods::eventTime, Comparator.nullsFirst(Comparator.naturalOrder())).reversed());
        CoreV1Event failure = events.stream().filter(e -> "Warning".equals(e.getType())).findFirst().orElse(null);
        if (failure == null && events.stream().anyMatch(e -> "WaitForFirstConsumer".equals(e.getReason()))) {
            return Detector.none();
        }
        String storageClass = pvc.getSpec() == null ? null : pvc.getSpec().getStorageClassName();
        String reason = failure != null ? failure.getReason() : "Pending";
        String message = failure != null ? failure.getMessage() : null;
        return List.of(FindingBuilder.of(ID, IncidentTypes.PVC_PENDING, Severity.MEDIUM, Refs.of(pvc))
                .fact("reason", reason)
                .fact("message", message)
                .fact("storageClass", storageClass)
                .fact("pendingMinutes", Conditions.minutesBetween(since, now))
                .observedAt(since)
                .message("persistentvolumeclaim " + pvc.getMetadata().getName() + " has been pending for "
                        + Conditions.minutesBetween(since, now) + " min"
                        + (storageClass == null ? "" : " (storage class " + storageClass + ")")
                        + (message == null ? "" : ": " + message))
                .build(now));
    }
}

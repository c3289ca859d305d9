package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Volume;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * PersistentVolumeClaims in phase Lost: the PersistentVolume they were bound to is gone, and pods that mount
 * them cannot start. Lost is final (the claim never binds again by itself), so there is no threshold; a
 * claim being deleted is not reported. Names the pods of the namespace that mount the claim.
 */
public final class PvcLostDetector implements Detector {

    public static final String ID = "pvc-lost";

    public PvcLostDetector(DetectionConfig config) {
    }

    public PvcLostDetector() {
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
        return Set.of(IncidentTypes.PVC_LOST);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1PersistentVolumeClaim pvc) || pvc.getStatus() == null
                || !"Lost".equals(pvc.getStatus().getPhase()) || pvc.getMetadata().getDeletionTimestamp() != null) {
            return Detector.none();
        }
        Instant now = context.now();
        String name = pvc.getMetadata().getName();
        List<String> pods = context.cluster().list(V1Pod.class, pvc.getMetadata().getNamespace()).stream()
                .filter(p -> mounts(p, name)).map(p -> p.getMetadata().getName()).sorted().toList();
        String volume = pvc.getSpec() == null ? null : pvc.getSpec().getVolumeName();
        String storageClass = pvc.getSpec() == null ? null : pvc.getSpec().getStorageClassName();
        return List.of(FindingBuilder.of(ID, IncidentTypes.PVC_LOST, Severity.HIGH, Refs.of(pvc))
                .fact("reason", "ClaimLost")
                .fact("volumeName", volume)
                .fact("storageClass", storageClass)
                .fact("mountingPods", String.join(",", pods.stream().limit(10).toList()))
                .fact("mountingPodCount", pods.size())
                .message("persistentvolumeclaim " + name + " is Lost: its volume" + (volume == null ? "" : " " + volume)
                        + " no longer exists" + (pods.isEmpty() ? "" : "; " + pods.size() + " pods mount it"))
                .build(now));
    }

    static boolean mounts(V1Pod pod, String claim) {
        if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) return false;
        for (V1Volume v : pod.getSpec().getVolumes()) {
            if (v.getPersistentVolumeClaim() != null && claim.equals(v.getPersistentVolumeClaim().getClaimName())) return true;
        }
        return false;
    }
}

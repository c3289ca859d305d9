package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Configuration defect: a StatefulSet whose governing Service ({@code spec.serviceName}) does not exist, once
 * the StatefulSet is older than {@code detection.missing_reference_threshold}. Its pods run, but get no
 * stable DNS names ({@code pod-0.service}), which peers of a clustered store rely on. Low severity, never
 * acted on. Quiet when serviceName is empty, when Services are not watched, and while the StatefulSet is
 * being deleted.
 */
public final class StatefulSetServiceMissingDetector implements Detector {

    public static final String ID = "statefulset-service-missing";

    private final DetectionConfig config;

    public StatefulSetServiceMissingDetector(DetectionConfig config) {
        this.config = config;
    }

    public StatefulSetServiceMissingDetector() {
        this(DetectionConfig.defaults());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> kinds() {
        return Set.of("StatefulSet");
    }

    @Override
    public Set<String> incidentTypes() {
        return Set.of(IncidentTypes.STATEFULSET_SERVICE_MISSING);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1StatefulSet sts) || sts.getSpec() == null || sts.getMetadata().getDeletionTimestamp() != null) {
            return Detector.none();
        }
        String service = sts.getSpec().getServiceName();
        if (service == null || service.isBlank() || !context.cluster().available(V1Service.class)) return Detector.none();
        Instant now = context.now();
        if (!Conditions.olderThan(Refs.created(sts), now, config.missingReferenceThreshold())) return Detector.none();
        String ns = sts.getMetadata().getNamespace();
        if (context.cluster().get(V1Service.class, ns, service).isPresent()) return Detector.none();
        return List.of(FindingBuilder.of(ID, IncidentTypes.STATEFULSET_SERVICE_MISSING, Severity.LOW, Refs.of(sts))
                .fact("reason", "ServiceNotFound")
                .fact("serviceName", service)
                .fact("replicas", sts.getSpec().getReplicas())
                .message("statefulset " + sts.getMetadata().getName() + " names governing service " + service
                        + ", which does not exist in namespace " + ns + ": its pods get no stable DNS names")
                .build(now));
    }
}

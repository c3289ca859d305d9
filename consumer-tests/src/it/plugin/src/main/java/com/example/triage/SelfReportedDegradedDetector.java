package com.example.triage;

import io.kubeincident.api.Finding;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ObjectMeta;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

// tag::detector[]
/**
 * Reports Pods and Deployments whose application says it is degraded: a sidecar or the app itself sets
 * {@code health.example.com/status: degraded} (and optionally {@code health.example.com/reason} and
 * {@code health.example.com/since}, an RFC 3339 time) on its own object.
 */
public final class SelfReportedDegradedDetector implements Detector {
    public static final String ID = "self-reported-degraded";
    public static final String INCIDENT_TYPE = "self-reported-degraded";
    public static final String STATUS = "health.example.com/status";
    public static final String REASON = "health.example.com/reason";
    public static final String SINCE = "health.example.com/since";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> kinds() {
        return Set.of("Pod", "Deployment");
    }

    @Override
    public Set<String> incidentTypes() {
        return Set.of(INCIDENT_TYPE);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        // Called concurrently from informer threads: no state, no API calls, never modify the object.
        V1ObjectMeta md = object.getMetadata();
        if (md == null || md.getName() == null || md.getAnnotations() == null) return Detector.none();
        Map<String, String> annotations = md.getAnnotations();
        if (!"degraded".equals(annotations.get(STATUS))) return Detector.none();
        String reason = annotations.getOrDefault(REASON, "unspecified");
        ResourceRef ref = new ResourceRef(object.getKind() != null ? object.getKind() : kindOf(object),
                md.getNamespace(), md.getName(), md.getUid());
        return List.of(new Finding(ID, INCIDENT_TYPE, Severity.MEDIUM, ref,
                ref + " reports itself degraded: " + reason, Map.of("reason", reason),
                since(annotations.get(SINCE), context.now())));
    }

    /** When the condition began: the object's own timestamp when it gives one, else now. */
    private static Instant since(String value, Instant now) {
        if (value == null) return now;
        try {
            Instant t = Instant.parse(value);
            return t.isAfter(now) ? now : t;
        } catch (DateTimeParseException e) {
            return now;
        }
    }

    private static String kindOf(KubernetesObject object) {
        return object instanceof io.kubernetes.client.openapi.models.V1Deployment ? "Deployment" : "Pod";
    }
}
// end::detector[]

package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1EndpointSubset;
import io.kubernetes.client.openapi.models.V1Endpoints;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1Service;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Services with a selector and no ready endpoint for longer than
 * {@code detection.service_no_endpoints_threshold}. Reads EndpointSlices (owned by the Service), else
 * Endpoints, else the selected pods' readiness when neither kind is watched. The age comes from the
 * endpoint controller's {@code last-change-trigger-time}, else from the pods, else from the Service.
 */
public final class ServiceNoEndpointsDetector implements Detector {

    public static final String ID = "service-no-endpoints";

    static final String TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";

    private final DetectionConfig config;

    public ServiceNoEndpointsDetector(DetectionConfig config) {
        this.config = config;
    }

    public ServiceNoEndpointsDetector() {
        this(DetectionConfig.defaults());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> kinds() {
        return Set.of("Service");
    }

    @Override
    public Set<String> incidentTypes() {
        return Set.of(IncidentTypes.SERVICE_NO_ENDPOINTS);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Service svc) || svc.getSpec() == null) return Detector.none();
        Map<String, String> selector = svc.getSpec().getSelector();
        if (selector == null || selector.isEmpty() || "ExternalName".equals(svc.getSpec().getType())) return Detector.none();
        ClusterView view = context.cluster();
        String ns = svc.getMetadata().getNamespace();
        String name = svc.getMetadata().getName();
        Instant trigger = null;
        String source;
        if (view.available(V1EndpointSlice.class)) {
            source = "EndpointSlice";
            List<V1EndpointSlice> slices = svc.getMetadata().getUid() == null ? List.of()
                    : view.ownedBy(V1EndpointSlice.class, svc.getMetadata().getUid());
            for (V1EndpointSlice s : slices) {
                if (s.getEndpoints() == null) continue;
                for (V1Endpoint e : s.getEndpoints()) {
                    // A nil ready condition means ready (API contract).
                    if (e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady())) {
                        return Detector.none();
                    }
                }
            }
            for (V1EndpointSlice s : slices) trigger = later(trigger, triggerTime(s));
        } else if (view.available(V1Endpoints.class)) {
            source = "Endpoints";
            Optional<V1Endpoints> ep = view.get(V1Endpoints.class, ns, name);
            if (ep.isPresent() && ep.get().getSubsets() != null) {
                for (V1EndpointSubset sub : ep.get().getSubsets()) {
                    if (sub.getAddresses() != null && !sub.getAddresses().isEmpty()) return Detector.none();
                }
            }
            if (ep.isPresent()) trigger = triggerTime(ep.get());
        } else {
            source = "Pods";
        }
        List<V1Pod> selected = view.list(V1Pod.class, ns).stream().filter(p -> matches(selector, p)).toList();
        int readyPods = 0;
        Instant lastUnready = null;
        for (V1Pod p : selected) {
            Optional<V1PodCondition> r = Pods.condition(p, "Ready");
            if (r.isPresent() && "True".equals(r.get().getStatus()) && !Pods.terminating(p)) {
                readyPods++;
            } else {
                lastUnready = later(lastUnready, Pods.notReadySince(p));
            }
        }
        if (source.equals("Pods") && readyPods > 0) return Detector.none();
        Instant now = context.now();
        Instant since = trigger != null ? trigger : lastUnready != null ? lastUnready : Refs.created(svc);
        since = later(since, Refs.created(svc));
        if (!Conditions.olderThan(since, now, config.serviceNoEndpointsThreshold())) return Detector.none();
        String reason = selected.isEmpty() ? "NoMatchingPods" : "NoReadyPods";
        return List.of(FindingBuilder.of(ID, IncidentTypes.SERVICE_NO_ENDPOINTS, Severity.HIGH, Refs.of(svc))
                .fact("reason", reason)
                .fact("selector", selectorString(selector))
                .fact("selectedPods", selected.size())
                .fact("readySelectedPods", readyPods)
                .fact("endpointSource", source)
                .fact("noEndpointsMinutes", Conditions.minutesBetween(since, now))
                .observedAt(since)
                .message("service " + name + " has no ready endpoints for " + Conditions.minutesBetween(since, now)
                        + " min: " + (selected.isEmpty() ? "no pod matches selector " + selectorString(selector)
                        : selected.size() + " pods match, none ready"))
                .build(now));
    }

    static boolean matches(Map<String, String> selector, V1Pod pod) {
        Map<String, String> labels = pod.getMetadata() == null ? null : pod.getMetadata().getLabels();
        if (labels == null) return false;
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) return false;
        }
        return true;
    }

    private static String selectorString(Map<String, String> selector) {
        return String.join(",", selector.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    private static Instant triggerTime(KubernetesObject o) {
        Map<String, String> a = o.getMetadata() == null ? null : o.getMetadata().getAnnotations();
        String raw = a == null ? null : a.get(TRIGGER_TIME);
        if (raw == null) return null;
        try {
            return OffsetDateTime.parse(raw).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.isAfter(b) ? a : b;
    }
}

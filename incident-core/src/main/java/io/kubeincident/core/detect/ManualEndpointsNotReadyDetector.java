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
import io.kubernetes.client.openapi.models.V1EndpointAddress;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1EndpointSubset;
import io.kubernetes.client.openapi.models.V1Endpoints;
import io.kubernetes.client.openapi.models.V1Service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Configuration defect: a Service without a selector whose hand-managed endpoints (an Endpoints object, or
 * EndpointSlices labelled {@code kubernetes.io/service-name}, mirrored or written by hand) exist and are all
 * not ready, for longer than {@code detection.service_no_endpoints_threshold}. Nothing in the cluster will
 * make them ready: whoever wrote them has to. Low severity, never acted on. A selector-less Service with no
 * endpoints at all is intentionally without backends (or waits for an external controller) and is not
 * reported; ExternalName Services have no endpoints by design.
 */
public final class ManualEndpointsNotReadyDetector implements Detector {

    public static final String ID = "manual-endpoints-not-ready";

    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final DetectionConfig config;

    public ManualEndpointsNotReadyDetector(DetectionConfig config) {
        this.config = config;
    }

    public ManualEndpointsNotReadyDetector() {
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
        return Set.of(IncidentTypes.MANUAL_ENDPOINTS_NOT_READY);
    }

    /** What the endpoint objects say: addresses not ready, whether any is ready, and since when they changed. */
    private record Seen(String source, List<String> notReady, boolean anyReady, Instant changed) {
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Service svc) || svc.getSpec() == null || "ExternalName".equals(svc.getSpec().getType())) {
            return Detector.none();
        }
        Map<String, String> selector = svc.getSpec().getSelector();
        if (selector != null && !selector.isEmpty()) return Detector.none();
        ClusterView view = context.cluster();
        Optional<Seen> seen = fromSlices(svc, view).or(() -> fromEndpoints(svc, view));
        if (seen.isEmpty() || seen.get().anyReady() || seen.get().notReady().isEmpty()) return Detector.none();
        Instant now = context.now();
        Instant since = later(seen.get().changed(), Refs.created(svc));
        if (!Conditions.olderThan(since, now, config.serviceNoEndpointsThreshold())) return Detector.none();
        List<String> addresses = seen.get().notReady();
        return List.of(FindingBuilder.of(ID, IncidentTypes.MANUAL_ENDPOINTS_NOT_READY, Severity.LOW, Refs.of(svc))
                .fact("reason", "EndpointsNotReady")
                .fact("endpointSource", seen.get().source())
                .fact("notReadyAddresses", String.join(",", addresses.stream().limit(10).toList()))
                .fact("notReadyCount", addresses.size())
                .fact("noEndpointsMinutes", Conditions.minutesBetween(since, now))
                .observedAt(since)
                .message("service " + svc.getMetadata().getName() + " has no selector and its " + addresses.size()
                        + " hand-managed endpoints (" + seen.get().source() + ") are all not ready")
                .build(now));
    }

    private static Optional<Seen> fromSlices(V1Service svc, ClusterView view) {
        if (!view.available(V1EndpointSlice.class)) return Optional.empty();
        String name = svc.getMetadata().getName();
        List<String> notReady = new ArrayList<>();
        boolean anyReady = false;
        boolean found = false;
        Instant changed = null;
        for (V1EndpointSlice s : view.list(V1EndpointSlice.class, svc.getMetadata().getNamespace())) {
            Map<String, String> labels = s.getMetadata().getLabels();
            if (labels == null || !name.equals(labels.get(SERVICE_NAME_LABEL))) continue;
            found = true;
            changed = later(changed, changeTime(s));
            if (s.getEndpoints() == null) continue;
            for (V1Endpoint e : s.getEndpoints()) {
                // A nil ready condition means ready (API contract).
                if (e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady())) anyReady = true;
                else if (e.getAddresses() != null) notReady.addAll(e.getAddresses());
            }
        }
        return found ? Optional.of(new Seen("EndpointSlice", notReady, anyReady, changed)) : Optional.empty();
    }

    private static Optional<Seen> fromEndpoints(V1Service svc, ClusterView view) {
        if (!view.available(V1Endpoints.class)) return Optional.empty();
        Optional<V1Endpoints> ep = view.get(V1Endpoints.class, svc.getMetadata().getNamespace(), svc.getMetadata().getName());
        if (ep.isEmpty()) return Optional.empty();
        List<String> notReady = new ArrayList<>();
        boolean anyReady = false;
        if (ep.get().getSubsets() != null) {
            for (V1EndpointSubset sub : ep.get().getSubsets()) {
                if (sub.getAddresses() != null && !sub.getAddresses().isEmpty()) anyReady = true;
                if (sub.getNotReadyAddresses() != null) {
                    for (V1EndpointAddress a : sub.getNotReadyAddresses()) notReady.add(a.getIp());
                }
            }
        }
        return Optional.of(new Seen("Endpoints", notReady, anyReady, changeTime(ep.get())));
    }

    /** The endpoint controller's trigger time when set, else when the object was created. */
    private static Instant changeTime(KubernetesObject o) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        String raw = a == null ? null : a.get(ServiceNoEndpointsDetector.TRIGGER_TIME);
        if (raw != null) {
            try {
                return java.time.OffsetDateTime.parse(raw).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                // fall through to the creation time
            }
        }
        return Refs.created(o);
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.isAfter(b) ? a : b;
    }
}

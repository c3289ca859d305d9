package io.kubeincident.core.exec;

import io.kubeincident.api.ResourceRef;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1EventSource;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Emits core/v1 Events on the objects actions touch, so {@code kubectl get events} shows what
 * kube-incident did. A direct create rather than client-java's EventRecorder: one event per action needs
 * no broadcaster threads or aggregation. Failures are logged, never thrown.
 */
public final class KubeEvents {
    private static final Logger LOG = LoggerFactory.getLogger(KubeEvents.class);
    public static final String COMPONENT = "kube-incident";

    private final ApiClient client;
    private final Clock clock;

    public KubeEvents(ApiClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public void record(ResourceRef target, String type, String reason, String message) {
        if (client == null) return;
        String ns = target.namespace() == null ? "default" : target.namespace();
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        CoreV1Event event = new CoreV1Event()
                .apiVersion("v1").kind("Event")
                .metadata(new V1ObjectMeta().namespace(ns)
                        .name(target.name() + "." + UUID.randomUUID().toString().substring(0, 8)))
                .involvedObject(new V1ObjectReference().kind(target.kind()).namespace(target.namespace())
                        .name(target.name()).uid(target.uid()))
                .type(type).reason(reason).message(message)
                .source(new V1EventSource().component(COMPONENT))
                .reportingComponent(COMPONENT)
                .firstTimestamp(now).lastTimestamp(now).count(1);
        try {
            new CoreV1Api(client).createNamespacedEvent(ns, event).execute();
        } catch (ApiException | RuntimeException e) {
            LOG.warn("could not record event {} on {}: {}", reason, target,
                    e instanceof ApiException a ? "HTTP " + a.getCode() : e.toString());
        }
    }
}

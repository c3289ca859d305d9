package io.kubeincident.core.monitor;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V1EndpointSlice;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The kinds the engine watches: kind name ↔ client-java model class. */
public final class Kinds {
    private static final Map<String, Class<? extends KubernetesObject>> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("Pod", V1Pod.class);
        BY_NAME.put("ReplicaSet", V1ReplicaSet.class);
        BY_NAME.put("Deployment", V1Deployment.class);
        BY_NAME.put("StatefulSet", V1StatefulSet.class);
        BY_NAME.put("DaemonSet", V1DaemonSet.class);
        BY_NAME.put("Job", V1Job.class);
        BY_NAME.put("Node", V1Node.class);
        BY_NAME.put("Event", CoreV1Event.class);
        BY_NAME.put("Service", V1Service.class);
        BY_NAME.put("EndpointSlice", V1EndpointSlice.class);
        BY_NAME.put("PersistentVolumeClaim", V1PersistentVolumeClaim.class);
        BY_NAME.put("HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class);
    }

    private Kinds() {
    }

    public static Map<String, Class<? extends KubernetesObject>> all() {
        return java.util.Collections.unmodifiableMap(BY_NAME);
    }

    public static Optional<Class<? extends KubernetesObject>> classOf(String kind) {
        return Optional.ofNullable(BY_NAME.get(kind));
    }

    public static String kindOf(KubernetesObject o) {
        if (o.getKind() != null && !o.getKind().isBlank()) return o.getKind();
        for (Map.Entry<String, Class<? extends KubernetesObject>> e : BY_NAME.entrySet()) {
            if (e.getValue().isInstance(o)) return e.getKey();
        }
        return o.getClass().getSimpleName().replaceFirst("^V\\d+(beta\\d+)?", "");
    }
}

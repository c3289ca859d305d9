package io.kubeincident.core.detect;

import io.kubeincident.api.Severity;
import io.kubeincident.core.monitor.Refs;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1Pod;

/** The parts every pod and container finding shares: its origin, the pod's (and container's) facts, the reason. */
final class ContainerFindings {

    private ContainerFindings() {
    }

    /** A finding on {@code pod} that names container {@code c}, with {@link Pods#containerFacts} and {@code reason}. */
    static FindingBuilder forContainer(String detectorId, String type, Severity severity, V1Pod pod, Pods.Container c,
                                       String reason) {
        return FindingBuilder.of(detectorId, type, severity, Refs.of(pod))
                .facts(Pods.containerFacts(pod, c))
                .fact("reason", reason);
    }

    /** A finding on {@code pod} as a whole, with {@link Pods#podFacts} and {@code reason}. */
    static FindingBuilder forPod(String detectorId, String type, Severity severity, V1Pod pod, String reason) {
        return FindingBuilder.of(detectorId, type, severity, Refs.of(pod))
                .facts(Pods.podFacts(pod))
                .fact("reason", reason);
    }

    /** The kubelet's message for a waiting container, or null. */
    static String waitingMessage(Pods.Container c) {
        return c.waiting().map(V1ContainerStateWaiting::getMessage).orElse(null);
    }

    /** {@code ": message"} to close a finding's message, or nothing when there is none. */
    static String suffix(String message) {
        return message == null ? "" : ": " + message;
    }
}

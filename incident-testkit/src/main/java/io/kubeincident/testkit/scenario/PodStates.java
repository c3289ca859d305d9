package io.kubeincident.testkit.scenario;

import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;

/** Small readers of pod state, shared by scenarios and the controller emulator. */
public final class PodStates {

    private PodStates() {
    }

    /** Whether the pod's Ready condition is True. */
    public static boolean ready(V1Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) return false;
        for (V1PodCondition c : pod.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) return "True".equals(c.getStatus());
        }
        return false;
    }
}

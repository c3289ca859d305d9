package io.kubeincident.core.monitor;

import io.kubeincident.api.ResourceRef;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ObjectMeta;

/** {@link ResourceRef}s from client-java objects. */
public final class Refs {
    private Refs() {
    }

    public static ResourceRef of(KubernetesObject o) {
        V1ObjectMeta m = o.getMetadata();
        return new ResourceRef(Kinds.kindOf(o), m.getNamespace(), m.getName(), m.getUid());
    }
}

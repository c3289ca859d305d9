package io.kubeincident.core.monitor;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.TransformFunc;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;

import java.util.Map;

/**
 * The informer transform: drops what no detector or evidence step reads before an object enters the
 * cache. {@code managedFields} and the last-applied annotation are often larger than the rest of the
 * object; a node's image list runs to dozens of entries. Runs on the informer thread on a freshly
 * decoded object, so changing it in place is safe.
 */
public final class ObjectSlimmer implements TransformFunc {

    public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    public static final ObjectSlimmer INSTANCE = new ObjectSlimmer();

    @Override
    public KubernetesObject transform(KubernetesObject object) {
        return slim(object);
    }

    public static KubernetesObject slim(KubernetesObject object) {
        if (object == null) return null;
        V1ObjectMeta meta;
        try {
            meta = object.getMetadata();
        } catch (RuntimeException e) {
            return object; // a tombstone (DeletedFinalStateUnknown) without its object
        }
        if (meta != null && meta.getManagedFields() != null) {
            meta.setManagedFields(null);
        }
        if (meta != null) {
            Map<String, String> annotations = meta.getAnnotations();
            if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
                try {
                    annotations.remove(LAST_APPLIED);
                } catch (UnsupportedOperationException e) {
                    Map<String, String> copy = new java.util.HashMap<>(annotations);
                    copy.remove(LAST_APPLIED);
                    meta.setAnnotations(copy);
                }
            }
        }
        if (object instanceof V1Node node && node.getStatus() != null) {
            node.getStatus().setImages(null);
        }
        return object;
    }
}

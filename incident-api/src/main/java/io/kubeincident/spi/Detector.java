package io.kubeincident.spi;

import io.kubeincident.api.Finding;
import io.kubernetes.client.common.KubernetesObject;

import java.util.List;
import java.util.Set;

/**
 * Looks at one Kubernetes object and reports what is wrong with it.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #id()} is stable and kebab-case.</li>
 *   <li>{@link #detect} is called from informer threads and from the periodic sweep, possibly
 *       concurrently: it must be thread-safe and side-effect free, must not call the API server (use
 *       {@link DetectionContext#cluster()}), must not modify {@code object}, and should answer in
 *       microseconds.</li>
 *   <li>It returns an empty list for healthy objects, never {@code null}. A thrown exception is
 *       reported and skipped for that object; the engine keeps going.</li>
 *   <li>Time conditions ("Pending for longer than 5 minutes") are read from the object's status
 *       timestamps against {@link DetectionContext#now()}, never from when the detector first saw it.</li>
 * </ul>
 */
public interface Detector {

    String id();

    /** The kinds it looks at ({@code Pod}, {@code Deployment}, {@code Node}, ...). */
    Set<String> kinds();

    List<Finding> detect(KubernetesObject object, DetectionContext context);

    /** Incident types it can report, for documentation and the rules coverage check. */
    default Set<String> incidentTypes() {
        return Set.of();
    }

    /** Convenience for implementations. */
    static List<Finding> none() {
        return List.of();
    }
}

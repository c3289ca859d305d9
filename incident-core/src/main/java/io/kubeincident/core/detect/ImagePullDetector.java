package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Pod;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Containers that cannot get their image: ErrImagePull / ImagePullBackOff past
 * {@code detection.image_pull_grace} (a registry hiccup retries on its own), InvalidImageName and
 * ErrImageNeverPull at once. Carries the registry's message and the registry host.
 */
public final class ImagePullDetector implements Detector {

    public static final String ID = "image-pull";

    private static final Set<String> RETRIED = Set.of("ErrImagePull", "ImagePullBackOff", "RegistryUnavailable",
            "SignatureValidationFailed");
    private static final Set<String> IMMEDIATE = Set.of("InvalidImageName", "ErrImageNeverPull");

    private final DetectionConfig config;

    public ImagePullDetector(DetectionConfig config) {
        this.config = config;
    }

    public ImagePullDetector() {
        this(DetectionConfig.defaults());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> kinds() {
        return Set.of("Pod");
    }

    @Override
    public Set<String> incidentTypes() {
        return Set.of(IncidentTypes.IMAGE_PULL);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Pod pod) || Pods.terminating(pod)) return Detector.none();
        Instant now = context.now();
        Instant since = Pods.notReadySince(pod);
        for (Pods.Container c : Pods.containers(pod)) {
            String reason = c.waitingReason();
            if (reason == null) continue;
            boolean counts = IMMEDIATE.contains(reason)
                    || (RETRIED.contains(reason) && Conditions.olderThan(since, now, config.imagePullGrace()));
            if (!counts) continue;
            String image = Pods.image(pod, c);
            String message = ContainerFindings.waitingMessage(c);
            FindingBuilder b = ContainerFindings.forContainer(ID, IncidentTypes.IMAGE_PULL, Severity.HIGH, pod, c, reason)
                    .fact("message", message)
                    .fact("registry", registryOf(image))
                    .observedAt(since)
                    .message("container " + c.name() + " of pod " + pod.getMetadata().getName() + " cannot pull image "
                            + image + " (" + reason + ")" + ContainerFindings.suffix(message));
            return List.of(b.build(now));
        }
        return Detector.none();
    }

    /** The registry host of an image reference; Docker Hub when the first path part is not a host. */
    static String registryOf(String image) {
        if (image == null || image.isBlank()) return null;
        int slash = image.indexOf('/');
        if (slash < 0) return "docker.io";
        String first = image.substring(0, slash);
        if (first.contains(".") || first.contains(":") || first.equals("localhost")) return first;
        return "docker.io";
    }
}

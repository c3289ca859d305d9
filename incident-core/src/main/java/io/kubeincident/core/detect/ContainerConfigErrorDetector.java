package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Pod;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Containers the kubelet cannot create because their configuration is wrong: CreateContainerConfigError,
 * CreateContainerError, RunContainerError, and pods stuck in ContainerCreating on a FailedMount of a
 * missing ConfigMap or Secret. Names the missing ConfigMap, Secret or key when the message does.
 */
public final class ContainerConfigErrorDetector implements Detector {

    public static final String ID = "container-config-error";

    private static final Set<String> REASONS = Set.of("CreateContainerConfigError", "CreateContainerError",
            "RunContainerError");
    private static final Pattern MISSING_CONFIGMAP = Pattern.compile("(?i)configmaps? \"([^\"]+)\" not found");
    private static final Pattern MISSING_SECRET = Pattern.compile("(?i)secrets? \"([^\"]+)\" not found");
    private static final Pattern MISSING_KEY = Pattern.compile("couldn't find key (\\S+) in (ConfigMap|Secret) ([^/\\s]+)/([^\\s]+)");

    private final DetectionConfig config;

    public ContainerConfigErrorDetector(DetectionConfig config) {
        this.config = config;
    }

    public ContainerConfigErrorDetector() {
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
        return Set.of(IncidentTypes.CONTAINER_CONFIG_ERROR);
    }

    @Override
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        if (!(object instanceof V1Pod pod) || Pods.terminating(pod)) return Detector.none();
        Instant now = context.now();
        Instant since = Pods.notReadySince(pod);
        if (!Conditions.olderThan(since, now, config.configErrorGrace())) return Detector.none();
        for (Pods.Container c : Pods.containers(pod)) {
            String reason = c.waitingReason();
            if (reason == null) continue;
            String message = ContainerFindings.waitingMessage(c);
            if (REASONS.contains(reason)) {
                return List.of(finding(pod, c, reason, message, since, now));
            }
            if ("ContainerCreating".equals(reason) || "PodInitializing".equals(reason)) {
                // The container status says nothing; the kubelet's FailedMount event names the missing source.
                for (CoreV1Event e : Pods.warningEvents(context.cluster(), pod)) {
                    if (!"FailedMount".equals(e.getReason()) || e.getMessage() == null) continue;
                    if (!missing(e.getMessage()).isEmpty()) {
                        return List.of(finding(pod, c, "FailedMount", e.getMessage(), since, now));
                    }
                }
            }
        }
        return Detector.none();
    }

    private static Finding finding(V1Pod pod, Pods.Container c, String reason, String message, Instant since, Instant now) {
        Map<String, String> missing = missing(message);
        String what = missing.isEmpty() ? "" : " (missing " + String.join(", ", missing.entrySet().stream()
                .filter(e -> e.getKey().startsWith("missing")).map(e -> e.getKey().substring(7) + " " + e.getValue())
                .toList()) + ")";
        return ContainerFindings.forContainer(ID, IncidentTypes.CONTAINER_CONFIG_ERROR, Severity.HIGH, pod, c, reason)
                .fact("message", message)
                .facts(missing)
                .observedAt(since)
                .message("container " + c.name() + " of pod " + pod.getMetadata().getName() + " cannot be created: "
                        + reason + what + ContainerFindings.suffix(message))
                .build(now);
    }

    /** {@code missingConfigMap}, {@code missingSecret}, {@code missingKey} (+ the holder) named in {@code message}. */
    static Map<String, String> missing(String message) {
        Map<String, String> out = new LinkedHashMap<>();
        if (message == null) return out;
        Matcher key = MISSING_KEY.matcher(message);
        if (key.find()) {
            out.put("missingKey", key.group(1));
            out.put(key.group(2).equals("ConfigMap") ? "configMap" : "secret", key.group(4));
        }
        Matcher cm = MISSING_CONFIGMAP.matcher(message);
        if (cm.find()) out.put("missingConfigMap", cm.group(1));
        Matcher s = MISSING_SECRET.matcher(message);
        if (s.find()) out.put("missingSecret", s.group(1));
        return out;
    }
}

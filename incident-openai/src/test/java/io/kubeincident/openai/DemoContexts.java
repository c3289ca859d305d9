package io.kubeincident.openai;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.EventSummary;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.LogExcerpt;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.RolloutRevision;
import io.kubeincident.api.Severity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The demo's four incidents as the engine would hand them to an analyzer: the seed's bad-image pod,
 * crashing busybox pod and OOM memory hog, and a Deployment whose new revision crash-loops. The evidence
 * is written by hand the way a kubelet, the scheduler and the controllers report these cases (event
 * reasons and messages, exit codes, log tails), so the token counts do not depend on the engine.
 */
final class DemoContexts {

    static final Instant T0 = Instant.parse("2025-06-01T10:00:00Z");

    private DemoContexts() {
    }

    /** The built-in action catalog as the engine describes it to analyzers. */
    static List<ActionDescriptor> catalog() {
        List<ActionDescriptor> all = new ArrayList<>(Fixtures.actions());
        all.add(new ActionDescriptor("patch-configmap", "set keys of a ConfigMap the workload reads, then roll it",
                Set.of("ConfigMap"), Map.of("type", "object", "properties", Map.of("data", Map.of("type", "object",
                        "additionalProperties", Map.of("type", "string"))), "required", List.of("data"))));
        all.add(new ActionDescriptor("cordon-node", "mark a node unschedulable", Set.of("Node"),
                Map.of("type", "object", "properties", Map.of())));
        all.add(new ActionDescriptor("drain-node", "evict the pods of a node, honouring PodDisruptionBudgets", Set.of("Node"),
                Map.of("type", "object", "properties", Map.of("ignoreDaemonSets", Map.of("type", "boolean")))));
        return all;
    }

    static Map<String, AnalysisRequest> all() {
        Map<String, AnalysisRequest> m = new LinkedHashMap<>();
        m.put("bad-image-pod (ImagePullBackOff)", badImagePod());
        m.put("crashing-pod (busybox exit 1)", crashingPod());
        m.put("memory-hog (OOMKilled at 100Mi)", memoryHog());
        m.put("deployment whose new revision crash-loops", badRollout());
        return m;
    }

    static AnalysisRequest badImagePod() {
        ResourceRef pod = new ResourceRef("Pod", "default", "bad-image-pod", "0b1c6a2e-1111-4c1e-9a55-0c3f1e6f0001");
        String image = "nonexistent-repo/bad-image:latest";
        Finding f = new Finding("image-pull", IncidentTypes.IMAGE_PULL, Severity.HIGH, pod,
                "pod default/bad-image-pod cannot pull image " + image + " (ImagePullBackOff)",
                Map.of("reason", "ImagePullBackOff", "container", "bad-image-pod", "image", image,
                        "message", "Back-off pulling image \"" + image + "\"", "controller", "none"), T0.minusSeconds(240));
        String pullError = "Failed to pull image \"" + image + "\": failed to pull and unpack image "
                + "\"docker.io/nonexistent-repo/bad-image:latest\": failed to resolve reference "
                + "\"docker.io/nonexistent-repo/bad-image:latest\": pull access denied, repository does not exist or "
                + "may require authorization: server message: insufficient_scope: authorization failed";
        List<EventSummary> events = List.of(
                new EventSummary("Warning", "Failed", pullError, 5, T0.minusSeconds(235), T0.minusSeconds(20), pod),
                new EventSummary("Warning", "Failed", "Error: ErrImagePull", 5, T0.minusSeconds(235), T0.minusSeconds(20), pod),
                new EventSummary("Warning", "Failed", "Error: ImagePullBackOff", 9, T0.minusSeconds(230), T0.minusSeconds(5), pod),
                new EventSummary("Normal", "BackOff", "Back-off pulling image \"" + image + "\"", 9, T0.minusSeconds(230), T0.minusSeconds(5), pod),
                new EventSummary("Normal", "Pulling", "Pulling image \"" + image + "\"", 5, T0.minusSeconds(238), T0.minusSeconds(22), pod),
                new EventSummary("Normal", "Scheduled", "Successfully assigned default/bad-image-pod to worker-1", 1,
                        T0.minusSeconds(240), T0.minusSeconds(240), pod));
        Incident incident = new Incident("inc-img-1", "image-pull:Pod/default/bad-image-pod", IncidentTypes.IMAGE_PULL,
                Severity.HIGH, pod, List.of(pod), List.of(f), IncidentState.OPEN, T0.minusSeconds(240), T0);
        Evidence e = new Evidence(events, List.of(), List.of(pod), List.of(),
                Map.of("node", "worker-1", "podPhase", "Pending", "ownerKind", "none (bare pod)"), List.of());
        return new AnalysisRequest(incident, e, catalog());
    }

    static AnalysisRequest crashingPod() {
        ResourceRef pod = new ResourceRef("Pod", "default", "crashing-pod", "0b1c6a2e-2222-4c1e-9a55-0c3f1e6f0002");
        Finding f = new Finding("crash-loop", IncidentTypes.CRASH_LOOP, Severity.HIGH, pod,
                "pod default/crashing-pod container crashing-pod is in CrashLoopBackOff (exit code 1, 5 restarts)",
                Map.of("reason", "CrashLoopBackOff", "container", "crashing-pod", "exitCode", "1",
                        "lastTerminationReason", "Error", "restartCount", "5", "image", "busybox",
                        "command", "sh -c exit 1", "controller", "none"), T0.minusSeconds(180));
        List<EventSummary> events = List.of(
                new EventSummary("Warning", "BackOff", "Back-off restarting failed container crashing-pod in pod "
                        + "crashing-pod_default(0b1c6a2e-2222-4c1e-9a55-0c3f1e6f0002)", 14, T0.minusSeconds(170), T0.minusSeconds(3), pod),
                new EventSummary("Normal", "Pulled", "Successfully pulled image \"busybox\" in 812ms (812ms including "
                        + "waiting). Image size: 2156022 bytes.", 6, T0.minusSeconds(178), T0.minusSeconds(40), pod),
                new EventSummary("Normal", "Created", "Created container: crashing-pod", 6, T0.minusSeconds(178), T0.minusSeconds(40), pod),
                new EventSummary("Normal", "Started", "Started container crashing-pod", 6, T0.minusSeconds(178), T0.minusSeconds(40), pod),
                new EventSummary("Normal", "Pulling", "Pulling image \"busybox\"", 6, T0.minusSeconds(179), T0.minusSeconds(41), pod),
                new EventSummary("Normal", "Scheduled", "Successfully assigned default/crashing-pod to worker-2", 1,
                        T0.minusSeconds(180), T0.minusSeconds(180), pod));
        Incident incident = new Incident("inc-crash-1", "crash-loop:Pod/default/crashing-pod", IncidentTypes.CRASH_LOOP,
                Severity.HIGH, pod, List.of(pod), List.of(f), IncidentState.OPEN, T0.minusSeconds(180), T0);
        // sh -c "exit 1" prints nothing: both log tails are empty
        Evidence e = new Evidence(events, List.of(new LogExcerpt(pod, "crashing-pod", true, List.of(), false),
                new LogExcerpt(pod, "crashing-pod", false, List.of(), false)), List.of(pod), List.of(),
                Map.of("node", "worker-2", "podPhase", "Running", "ownerKind", "none (bare pod)"), List.of());
        return new AnalysisRequest(incident, e, catalog());
    }

    static AnalysisRequest memoryHog() {
        ResourceRef pod = new ResourceRef("Pod", "default", "memory-hog", "0b1c6a2e-3333-4c1e-9a55-0c3f1e6f0003");
        Finding f = new Finding("oom-killed", IncidentTypes.OOM_KILLED, Severity.HIGH, pod,
                "pod default/memory-hog container memory-hog was OOMKilled (exit code 137) under a 100Mi memory limit",
                Map.of("reason", "OOMKilled", "container", "memory-hog", "exitCode", "137", "memoryLimit", "100Mi",
                        "memoryRequest", "100Mi", "restartCount", "4", "image", "busybox",
                        "command", "sh -c dd if=/dev/zero of=/tmp/memory.dat bs=1M count=1000", "controller", "none"),
                T0.minusSeconds(150));
        List<EventSummary> events = List.of(
                new EventSummary("Warning", "BackOff", "Back-off restarting failed container memory-hog in pod "
                        + "memory-hog_default(0b1c6a2e-3333-4c1e-9a55-0c3f1e6f0003)", 9, T0.minusSeconds(120), T0.minusSeconds(4), pod),
                new EventSummary("Normal", "Pulled", "Container image \"busybox\" already present on machine", 5,
                        T0.minusSeconds(148), T0.minusSeconds(30), pod),
                new EventSummary("Normal", "Created", "Created container: memory-hog", 5, T0.minusSeconds(148), T0.minusSeconds(30), pod),
                new EventSummary("Normal", "Started", "Started container memory-hog", 5, T0.minusSeconds(148), T0.minusSeconds(30), pod),
                new EventSummary("Normal", "Scheduled", "Successfully assigned default/memory-hog to worker-1", 1,
                        T0.minusSeconds(150), T0.minusSeconds(150), pod));
        Incident incident = new Incident("inc-oom-1", "oom-killed:Pod/default/memory-hog", IncidentTypes.OOM_KILLED,
                Severity.HIGH, pod, List.of(pod), List.of(f), IncidentState.OPEN, T0.minusSeconds(150), T0);
        // dd is killed before it reports: the previous instance's log is empty
        Evidence e = new Evidence(events, List.of(new LogExcerpt(pod, "memory-hog", true, List.of(), false)),
                List.of(pod), List.of(), Map.of("node", "worker-1", "nodeMemoryPressure", "False",
                "ownerKind", "none (bare pod)"), List.of());
        return new AnalysisRequest(incident, e, catalog());
    }

    static AnalysisRequest badRollout() {
        ResourceRef deploy = new ResourceRef("Deployment", "default", "web", "0b1c6a2e-4444-4c1e-9a55-0c3f1e6f0004");
        ResourceRef rsNew = new ResourceRef("ReplicaSet", "default", "web-6d5f8b7c9", "0b1c6a2e-4445-4c1e-9a55-0c3f1e6f0005");
        ResourceRef rsOld = new ResourceRef("ReplicaSet", "default", "web-7f9c4d6b8", "0b1c6a2e-4446-4c1e-9a55-0c3f1e6f0006");
        ResourceRef pod = new ResourceRef("Pod", "default", "web-6d5f8b7c9-x2k4p", "0b1c6a2e-4447-4c1e-9a55-0c3f1e6f0007");
        Finding f = new Finding("crash-loop", IncidentTypes.CRASH_LOOP, Severity.HIGH, pod,
                "pod default/web-6d5f8b7c9-x2k4p container web is in CrashLoopBackOff (exit code 2, 4 restarts)",
                Map.of("reason", "CrashLoopBackOff", "container", "web", "exitCode", "2", "lastTerminationReason", "Error",
                        "restartCount", "4", "image", "registry.example.com/shop/web:2.0.0"), T0.minusSeconds(300));
        Finding stuck = new Finding("rollout", IncidentTypes.ROLLOUT_STUCK, Severity.MEDIUM, deploy,
                "deployment default/web rollout to revision 2 is not progressing: 0 of 1 updated replicas available",
                Map.of("updatedReplicas", "1", "availableReplicas", "3", "replicas", "4", "revision", "2",
                        "condition", "Progressing=True ReplicaSetUpdated"), T0.minusSeconds(300));
        List<String> log = new ArrayList<>();
        log.add("2025-06-01T09:59:41.102Z INFO  shop-web 2.0.0 (commit 9f2c1ab) starting");
        log.add("2025-06-01T09:59:41.103Z INFO  loading configuration from environment");
        log.add("2025-06-01T09:59:41.104Z INFO  feature flags: checkout-v2=on, recommendations=off");
        log.add("2025-06-01T09:59:41.110Z INFO  connecting to cache redis://cache.default.svc:6379");
        log.add("2025-06-01T09:59:41.121Z INFO  cache connected");
        log.add("2025-06-01T09:59:41.122Z ERROR required setting DATABASE_URL is not set (renamed from DB_URL in 2.0.0)");
        log.add("panic: config: missing required setting DATABASE_URL");
        log.add("");
        log.add("goroutine 1 [running]:");
        log.add("main.mustLoadConfig(...)");
        log.add("\t/src/cmd/web/config.go:57 +0x2c5");
        log.add("main.main()");
        log.add("\t/src/cmd/web/main.go:31 +0x65");
        LogExcerpt previous = new LogExcerpt(pod, "web", true, log, false);
        List<EventSummary> events = List.of(
                new EventSummary("Warning", "BackOff", "Back-off restarting failed container web in pod "
                        + "web-6d5f8b7c9-x2k4p_default(0b1c6a2e-4447-4c1e-9a55-0c3f1e6f0007)", 11, T0.minusSeconds(280), T0.minusSeconds(6), pod),
                new EventSummary("Normal", "Pulled", "Container image \"registry.example.com/shop/web:2.0.0\" already present on machine",
                        5, T0.minusSeconds(290), T0.minusSeconds(35), pod),
                new EventSummary("Normal", "Created", "Created container: web", 5, T0.minusSeconds(290), T0.minusSeconds(35), pod),
                new EventSummary("Normal", "Started", "Started container web", 5, T0.minusSeconds(290), T0.minusSeconds(35), pod),
                new EventSummary("Normal", "ScalingReplicaSet", "Scaled up replica set web-6d5f8b7c9 from 0 to 1", 1,
                        T0.minusSeconds(300), T0.minusSeconds(300), deploy));
        Incident incident = new Incident("inc-rollout-1", "crash-loop:Deployment/default/web", IncidentTypes.CRASH_LOOP,
                Severity.HIGH, deploy, List.of(deploy, rsNew, rsOld, pod), List.of(f, stuck), IncidentState.OPEN,
                T0.minusSeconds(300), T0);
        Evidence e = new Evidence(events, List.of(previous), List.of(pod, rsNew, deploy),
                List.of(new RolloutRevision(2, rsNew, List.of("registry.example.com/shop/web:2.0.0"), T0.minusSeconds(300), 0, true),
                        new RolloutRevision(1, rsOld, List.of("registry.example.com/shop/web:1.9.3"), T0.minusSeconds(86_400 * 6), 3, false)),
                Map.of("minutesSinceRollout", "5", "strategy", "RollingUpdate maxSurge=25% maxUnavailable=25%",
                        "desiredReplicas", "3", "changedInRollout", "image registry.example.com/shop/web:1.9.3 -> 2.0.0"),
                List.of());
        return new AnalysisRequest(incident, e, catalog());
    }
}

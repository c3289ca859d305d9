package io.kubeincident.core.detect;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the pod detectors read from a pod, in one place. */
final class Pods {

    static final int SIGKILL_EXIT = 137;

    private Pods() {
    }

    /** A container status with whether it belongs to an init container. */
    record Container(V1ContainerStatus status, boolean init) {
        String name() {
            return status.getName();
        }

        int restarts() {
            return status.getRestartCount() == null ? 0 : status.getRestartCount();
        }

        Optional<V1ContainerStateWaiting> waiting() {
            return Optional.ofNullable(status.getState()).map(V1ContainerState::getWaiting);
        }

        String waitingReason() {
            return waiting().map(V1ContainerStateWaiting::getReason).orElse(null);
        }

        Optional<V1ContainerStateTerminated> lastTerminated() {
            return Optional.ofNullable(status.getLastState()).map(V1ContainerState::getTerminated);
        }

        Optional<V1ContainerStateTerminated> terminated() {
            return Optional.ofNullable(status.getState()).map(V1ContainerState::getTerminated);
        }

        boolean running() {
            return status.getState() != null && status.getState().getRunning() != null;
        }

        Instant runningSince() {
            return running() ? Refs.instant(status.getState().getRunning().getStartedAt()) : null;
        }
    }

    static List<Container> containers(V1Pod pod) {
        V1PodStatus s = pod.getStatus();
        if (s == null) return List.of();
        List<Container> out = new ArrayList<>();
        if (s.getInitContainerStatuses() != null) {
            for (V1ContainerStatus cs : s.getInitContainerStatuses()) out.add(new Container(cs, true));
        }
        if (s.getContainerStatuses() != null) {
            for (V1ContainerStatus cs : s.getContainerStatuses()) out.add(new Container(cs, false));
        }
        return out;
    }

    static String phase(V1Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    static boolean terminating(V1Pod pod) {
        return pod.getMetadata() != null && pod.getMetadata().getDeletionTimestamp() != null;
    }

    static Optional<V1PodCondition> condition(V1Pod pod, String type) {
        return pod.getStatus() == null ? Optional.empty()
                : Conditions.find(pod.getStatus().getConditions(), V1PodCondition::getType, type);
    }

    static Instant startTime(V1Pod pod) {
        Instant start = pod.getStatus() == null ? null : Refs.instant(pod.getStatus().getStartTime());
        return start != null ? start : Refs.created(pod);
    }

    /**
     * Since when the pod has been not ready: the Ready condition's transition when it is False, else the
     * pod's start. A waiting container has no timestamp of its own.
     */
    static Instant notReadySince(V1Pod pod) {
        Optional<V1PodCondition> ready = condition(pod, "Ready");
        if (ready.isPresent() && "False".equals(ready.get().getStatus()) && ready.get().getLastTransitionTime() != null) {
            return Refs.instant(ready.get().getLastTransitionTime());
        }
        return startTime(pod);
    }

    static Optional<V1Container> spec(V1Pod pod, String container) {
        V1PodSpec spec = pod.getSpec();
        if (spec == null) return Optional.empty();
        List<V1Container> all = new ArrayList<>();
        if (spec.getInitContainers() != null) all.addAll(spec.getInitContainers());
        if (spec.getContainers() != null) all.addAll(spec.getContainers());
        return all.stream().filter(c -> container.equals(c.getName())).findFirst();
    }

    static String memoryLimit(V1Pod pod, String container) {
        return spec(pod, container).map(V1Container::getResources).map(r -> r.getLimits())
                .map(l -> l.get("memory")).map(Quantity::toSuffixedString).orElse(null);
    }

    static String memoryRequest(V1Pod pod, String container) {
        return spec(pod, container).map(V1Container::getResources).map(r -> r.getRequests())
                .map(l -> l.get("memory")).map(Quantity::toSuffixedString).orElse(null);
    }

    static String image(V1Pod pod, Container c) {
        return spec(pod, c.name()).map(V1Container::getImage).orElse(c.status().getImage());
    }

    /** The facts every pod finding carries: the pod's node and controller owner. */
    static Map<String, String> podFacts(V1Pod pod) {
        Map<String, String> f = new LinkedHashMap<>();
        if (pod.getSpec() != null && pod.getSpec().getNodeName() != null) f.put("nodeName", pod.getSpec().getNodeName());
        Refs.controller(pod).ifPresent(o -> {
            f.put("ownerKind", o.getKind());
            f.put("ownerName", o.getName());
        });
        return f;
    }

    /** Pod facts plus the container's: name, restarts, image, memory limit, last termination. */
    static Map<String, String> containerFacts(V1Pod pod, Container c) {
        Map<String, String> f = podFacts(pod);
        f.put("container", c.name());
        if (c.init()) f.put("initContainer", "true");
        f.put("restartCount", String.valueOf(c.restarts()));
        String image = image(pod, c);
        if (image != null) f.put("image", image);
        String limit = memoryLimit(pod, c.name());
        if (limit != null) f.put("memoryLimit", limit);
        String wr = c.waitingReason();
        if (wr != null) f.put("waitingReason", wr);
        Optional<V1ContainerStateTerminated> t = c.terminated().or(c::lastTerminated);
        t.ifPresent(term -> {
            if (term.getReason() != null) f.put("terminatedReason", term.getReason());
            if (term.getExitCode() != null) f.put("exitCode", String.valueOf(term.getExitCode()));
        });
        return f;
    }

    /**
     * The container was killed for memory: reason OOMKilled, or exit 137 (SIGKILL) with a memory limit that
     * nothing else explains. Looks at the current termination, else the last one. Not an OOM kill: a pod the
     * kubelet evicted (its containers die with 137 too, whatever the resource), and a container the kubelet
     * asked to stop ({@link #stopRequest}) that was killed when its grace period ran out.
     */
    static boolean oomKilled(V1Pod pod, Container c, ClusterView view) {
        Optional<V1ContainerStateTerminated> t = c.terminated().or(c::lastTerminated);
        if (t.isEmpty() || evicted(pod)) return false;
        String reason = t.get().getReason();
        if ("OOMKilled".equals(reason)) return true;
        if (!sigkilled(t.get())) return false;
        if (memoryLimit(pod, c.name()) == null) return false;
        return stopRequest(pod, c, view) == null;
    }

    /** Pod reason Evicted: the kubelet (node pressure, ephemeral-storage limits) or the API ended it. */
    static boolean evicted(V1Pod pod) {
        return pod.getStatus() != null && "Evicted".equals(pod.getStatus().getReason());
    }

    /** Exit 137 with no reason but the runtime's generic one: killed by SIGKILL from outside. */
    static boolean sigkilled(V1ContainerStateTerminated t) {
        Integer exit = t.getExitCode();
        String reason = t.getReason();
        return exit != null && exit == SIGKILL_EXIT && (reason == null || reason.equals("Error"));
    }

    /**
     * Why the kubelet stopped container {@code c}, or null when nothing says it did: its
     * Killing event ("Stopping container app", "Container app failed liveness probe, will be restarted"), a
     * failing liveness or startup probe, or the pod's activeDeadlineSeconds. A stopped container gets SIGTERM
     * and, when still running after its grace period, SIGKILL: exit 137 without any memory trouble. Events
     * live about an hour, as long as {@code detection.oom_window} by default, so any such event counts.
     */
    static String stopRequest(V1Pod pod, Container c, ClusterView view) {
        if (pod.getStatus() != null && "DeadlineExceeded".equals(pod.getStatus().getReason())) {
            return "DeadlineExceeded" + (pod.getStatus().getMessage() == null ? "" : ": " + pod.getStatus().getMessage());
        }
        if (view == null) return null;
        java.util.regex.Pattern names = java.util.regex.Pattern.compile("(?i)\\bcontainer \"?"
                + java.util.regex.Pattern.quote(c.name()) + "\"?(?:\\s|$)");
        for (CoreV1Event e : events(view, pod)) {
            String reason = e.getReason();
            String message = e.getMessage();
            if (message == null) continue;
            if ("Killing".equals(reason) && names.matcher(message).find()) return message;
            if ("Unhealthy".equals(reason) && (message.startsWith("Liveness") || message.startsWith("Startup"))) {
                return message;
            }
        }
        return null;
    }

    static Instant terminatedAt(Container c) {
        return c.terminated().or(c::lastTerminated).map(V1ContainerStateTerminated::getFinishedAt)
                .map(Refs::instant).orElse(null);
    }

    /** The pod's events, newest first. */
    static List<CoreV1Event> events(ClusterView view, V1Pod pod) {
        ResourceRef ref = Refs.of(pod);
        List<CoreV1Event> events = new ArrayList<>(view.eventsFor(ref));
        events.sort(Comparator.comparing(Pods::eventTime, Comparator.nullsFirst(Comparator.naturalOrder())).reversed());
        return events;
    }

    static List<CoreV1Event> warningEvents(ClusterView view, V1Pod pod) {
        return events(view, pod).stream().filter(e -> "Warning".equals(e.getType())).toList();
    }

    static Instant eventTime(CoreV1Event e) {
        if (e.getSeries() != null && e.getSeries().getLastObservedTime() != null) {
            return Refs.instant(e.getSeries().getLastObservedTime());
        }
        if (e.getLastTimestamp() != null) return Refs.instant(e.getLastTimestamp());
        if (e.getEventTime() != null) return Refs.instant(e.getEventTime());
        if (e.getFirstTimestamp() != null) return Refs.instant(e.getFirstTimestamp());
        return Refs.created(e);
    }

    static int eventCount(CoreV1Event e) {
        if (e.getSeries() != null && e.getSeries().getCount() != null) return e.getSeries().getCount();
        return e.getCount() == null ? 1 : e.getCount();
    }
}

package io.kubeincident.testkit.scenario;

import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateRunning;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A pod as the kubelet shows it: running and Ready, or in CrashLoopBackOff, ImagePullBackOff,
 * ErrImagePull, OOMKilled, Pending/Unschedulable. Every container status carries the fields
 * client-java requires when reading it back (name, image, imageID, ready, restartCount, started).
 *
 * <pre>{@code
 * V1Pod pod = PodBuilder.pod("default", "web-1").ownedBy(rs).crashLoopBackOff(5).create(client);
 * }</pre>
 */
public final class PodBuilder {

    private enum State { RUNNING, CRASH_LOOP, IMAGE_PULL_BACKOFF, ERR_IMAGE_PULL, OOM_KILLED, UNSCHEDULABLE, PENDING, SUCCEEDED }

    private final String namespace;
    private final String name;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private final List<V1OwnerReference> owners = new ArrayList<>();
    private String container = "app";
    private String image = "registry.example.com/app:1.0";
    private String nodeName = "node-1";
    private String memoryLimit;
    private V1PodSpec spec;
    private Clock clock = Clock.systemUTC();
    private State state = State.RUNNING;
    private int restarts;
    private int exitCode = 1;
    private String terminationReason = "Error";
    private String message;
    private Duration age = Duration.ofMinutes(30);

    private PodBuilder(String namespace, String name) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.name = Objects.requireNonNull(name, "name");
    }

    public static PodBuilder pod(String namespace, String name) {
        return new PodBuilder(namespace, name);
    }

    public PodBuilder label(String key, String value) {
        labels.put(key, value);
        return this;
    }

    public PodBuilder labels(Map<String, String> more) {
        if (more != null) labels.putAll(more);
        return this;
    }

    public PodBuilder annotation(String key, String value) {
        annotations.put(key, value);
        return this;
    }

    public PodBuilder container(String containerName) {
        this.container = containerName;
        return this;
    }

    public PodBuilder image(String img) {
        this.image = img;
        return this;
    }

    /** Node the pod is bound to; {@code null} for an unscheduled pod. */
    public PodBuilder node(String node) {
        this.nodeName = node;
        return this;
    }

    /** A memory limit on the container, e.g. {@code 256Mi}. */
    public PodBuilder memoryLimit(String limit) {
        this.memoryLimit = limit;
        return this;
    }

    /** Uses {@code template} (e.g. a ReplicaSet's pod spec) instead of a single generated container. */
    public PodBuilder spec(V1PodSpec template) {
        this.spec = template;
        return this;
    }

    /** Clock for status timestamps (startedAt, finishedAt, lastTransitionTime). */
    public PodBuilder clock(Clock c) {
        this.clock = Objects.requireNonNull(c, "clock");
        return this;
    }

    /** How long ago the pod started (default 30 minutes). */
    public PodBuilder age(Duration d) {
        this.age = d;
        return this;
    }

    /** A controller owner reference (controller=true) to {@code rs}, with its server uid. */
    public PodBuilder ownedBy(V1ReplicaSet rs) {
        return ownedBy("apps/v1", "ReplicaSet", rs.getMetadata().getName(), rs.getMetadata().getUid());
    }

    public PodBuilder ownedBy(String apiVersion, String kind, String ownerName, String uid) {
        owners.add(new V1OwnerReference().apiVersion(apiVersion).kind(kind).name(ownerName).uid(uid)
                .controller(true).blockOwnerDeletion(true));
        return this;
    }

    public PodBuilder running() {
        state = State.RUNNING;
        return this;
    }

    /** Running, then terminated (phase Succeeded). */
    public PodBuilder succeeded() {
        state = State.SUCCEEDED;
        return this;
    }

    /** CrashLoopBackOff after {@code restartCount} restarts; last exit code 1, reason Error. */
    public PodBuilder crashLoopBackOff(int restartCount) {
        return crashLoopBackOff(restartCount, 1, "Error");
    }

    public PodBuilder crashLoopBackOff(int restartCount, int lastExitCode, String lastReason) {
        state = State.CRASH_LOOP;
        restarts = restartCount;
        exitCode = lastExitCode;
        terminationReason = lastReason;
        return this;
    }

    /** ImagePullBackOff with the registry's message (default: manifest not found). */
    public PodBuilder imagePullBackOff() {
        state = State.IMAGE_PULL_BACKOFF;
        return this;
    }

    public PodBuilder errImagePull() {
        state = State.ERR_IMAGE_PULL;
        return this;
    }

    /** Last terminated with OOMKilled (exit 137), waiting in CrashLoopBackOff; sets a 128Mi limit if none. */
    public PodBuilder oomKilled(int restartCount) {
        state = State.OOM_KILLED;
        restarts = restartCount;
        exitCode = 137;
        terminationReason = "OOMKilled";
        if (memoryLimit == null) memoryLimit = "128Mi";
        return this;
    }

    /** Pending with PodScheduled=False reason Unschedulable and the scheduler's message. */
    public PodBuilder unschedulable(String schedulerMessage) {
        state = State.UNSCHEDULABLE;
        message = schedulerMessage;
        nodeName = null;
        return this;
    }

    public PodBuilder unschedulable() {
        return unschedulable("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
                + "3 No preemption victims found for incoming pod.");
    }

    /** Pending and unscheduled, without a verdict of the scheduler yet. */
    public PodBuilder pending() {
        state = State.PENDING;
        nodeName = null;
        return this;
    }

    /** Overrides the waiting/termination message (registry error, scheduler message). */
    public PodBuilder message(String m) {
        this.message = m;
        return this;
    }

    public V1Pod build() {
        Instant now = clock.instant();
        Instant started = now.minus(age);
        V1PodSpec podSpec = spec != null ? copySpec(spec) : new V1PodSpec().containers(new ArrayList<>(List.of(
                new V1Container().name(container).image(image))));
        if (memoryLimit != null) {
            V1Container c = podSpec.getContainers().get(0);
            V1ResourceRequirements r = c.getResources() == null ? new V1ResourceRequirements() : c.getResources();
            Map<String, Quantity> limits = new LinkedHashMap<>(r.getLimits() == null ? Map.of() : r.getLimits());
            limits.put("memory", Quantity.fromString(memoryLimit));
            c.setResources(r.limits(limits));
        }
        podSpec.setNodeName(nodeName);
        if (podSpec.getRestartPolicy() == null) podSpec.setRestartPolicy("Always");
        V1ObjectMeta md = new V1ObjectMeta().name(name).namespace(namespace).labels(new LinkedHashMap<>(labels));
        if (!annotations.isEmpty()) md.setAnnotations(new LinkedHashMap<>(annotations));
        if (!owners.isEmpty()) md.setOwnerReferences(new ArrayList<>(owners));
        return new V1Pod().apiVersion("v1").kind("Pod").metadata(md).spec(podSpec).status(status(podSpec, now, started));
    }

    /** Creates the pod on the server (with its status) and returns what the server stored. */
    public V1Pod create(ApiClient client) throws ApiException {
        return new CoreV1Api(client).createNamespacedPod(namespace, build()).execute();
    }

    private V1PodStatus status(V1PodSpec podSpec, Instant now, Instant started) {
        V1PodStatus st = new V1PodStatus().qosClass(memoryLimit != null ? "Burstable" : "BestEffort");
        OffsetDateTime startedAt = odt(started);
        switch (state) {
            case UNSCHEDULABLE, PENDING -> {
                st.phase("Pending");
                V1PodCondition scheduled = new V1PodCondition().type("PodScheduled").status("False").lastTransitionTime(startedAt);
                if (state == State.UNSCHEDULABLE) scheduled.reason("Unschedulable").message(message);
                st.conditions(new ArrayList<>(List.of(scheduled)));
                return st;
            }
            default -> {
            }
        }
        boolean ready = state == State.RUNNING;
        Instant lastChange = ready ? started : now.minus(Duration.ofSeconds(40));
        st.phase(state == State.SUCCEEDED ? "Succeeded" : state == State.IMAGE_PULL_BACKOFF || state == State.ERR_IMAGE_PULL
                ? "Pending" : "Running");
        st.hostIP("10.0.0.11").podIP("10.244.1." + (Math.abs(name.hashCode()) % 250 + 2)).startTime(startedAt);
        st.conditions(new ArrayList<>(List.of(
                cond("PodReadyToStartContainers", "True", started),
                cond("Initialized", "True", started),
                cond("Ready", ready ? "True" : "False", lastChange, ready ? null : "ContainersNotReady",
                        ready ? null : "containers with unready status: [" + podSpec.getContainers().get(0).getName() + "]"),
                cond("ContainersReady", ready ? "True" : "False", lastChange, ready ? null : "ContainersNotReady",
                        ready ? null : "containers with unready status: [" + podSpec.getContainers().get(0).getName() + "]"),
                cond("PodScheduled", "True", started))));
        List<V1ContainerStatus> statuses = new ArrayList<>();
        boolean first = true;
        for (V1Container c : podSpec.getContainers()) {
            statuses.add(first ? containerStatus(c, now, started) : healthy(c, started));
            first = false;
        }
        st.containerStatuses(statuses);
        return st;
    }

    private V1ContainerStatus containerStatus(V1Container c, Instant now, Instant started) {
        String img = c.getImage();
        V1ContainerStatus cs = new V1ContainerStatus().name(c.getName()).image(img).imageID("").restartCount(restarts)
                .ready(false).started(false);
        switch (state) {
            case RUNNING -> {
                return healthy(c, started);
            }
            case SUCCEEDED -> cs.imageID(imageId(img)).state(new V1ContainerState().terminated(new V1ContainerStateTerminated()
                    .exitCode(0).reason("Completed").startedAt(odt(started)).finishedAt(odt(now.minusSeconds(60)))
                    .containerID(containerId(c))));
            case CRASH_LOOP, OOM_KILLED -> {
                Instant finished = now.minusSeconds(40);
                cs.imageID(imageId(img)).containerID(containerId(c))
                        .state(new V1ContainerState().waiting(new V1ContainerStateWaiting().reason("CrashLoopBackOff")
                                .message(message != null ? message : "back-off 5m0s restarting failed container=" + c.getName()
                                        + " pod=" + name + "_" + namespace + "(" + Names.suffix(name) + ")")))
                        .lastState(new V1ContainerState().terminated(new V1ContainerStateTerminated().exitCode(exitCode)
                                .reason(terminationReason).startedAt(odt(finished.minusSeconds(5))).finishedAt(odt(finished))
                                .containerID(containerId(c))));
            }
            case IMAGE_PULL_BACKOFF -> cs.state(new V1ContainerState().waiting(new V1ContainerStateWaiting()
                    .reason("ImagePullBackOff").message(message != null ? message : "Back-off pulling image \"" + img + "\"")));
            case ERR_IMAGE_PULL -> cs.state(new V1ContainerState().waiting(new V1ContainerStateWaiting()
                    .reason("ErrImagePull").message(message != null ? message : "failed to pull and unpack image \"" + img
                            + "\": failed to resolve reference \"" + img + "\": " + img + ": not found")));
            default -> {
            }
        }
        return cs;
    }

    private V1ContainerStatus healthy(V1Container c, Instant started) {
        return new V1ContainerStatus().name(c.getName()).image(c.getImage()).imageID(imageId(c.getImage()))
                .containerID(containerId(c)).restartCount(state == State.RUNNING ? restarts : 0).ready(true).started(true)
                .state(new V1ContainerState().running(new V1ContainerStateRunning().startedAt(odt(started))));
    }

    private String containerId(V1Container c) {
        return "containerd://" + Names.suffix(namespace + "/" + name + "/" + c.getName()) + "0123456789abcdef";
    }

    private static String imageId(String img) {
        String repo = img.contains(":") ? img.substring(0, img.lastIndexOf(':')) : img;
        return repo + "@sha256:" + "0".repeat(56) + Names.suffix(img).replaceAll("[^0-9a-f]", "a").substring(0, 5) + "abc";
    }

    private static V1PodCondition cond(String type, String status, Instant at) {
        return cond(type, status, at, null, null);
    }

    private static V1PodCondition cond(String type, String status, Instant at, String reason, String message) {
        return new V1PodCondition().type(type).status(status).lastTransitionTime(odt(at)).reason(reason).message(message);
    }

    static OffsetDateTime odt(Instant i) {
        return OffsetDateTime.ofInstant(i.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), ZoneOffset.UTC);
    }

    private static V1PodSpec copySpec(V1PodSpec s) {
        return io.kubernetes.client.openapi.JSON.deserialize(io.kubernetes.client.openapi.JSON.serialize(s), V1PodSpec.class);
    }
}

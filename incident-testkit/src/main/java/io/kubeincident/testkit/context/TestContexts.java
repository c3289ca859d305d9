package io.kubeincident.testkit.context;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.ActionHistory;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.OutcomeHistory;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.SafetyContext;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1StatefulSet;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Plain implementations of the SPI contexts for unit tests, with a fixed clock by default.
 *
 * <pre>{@code
 * DetectionContext dc = TestContexts.detection().cluster(view).build();
 * RecordingActionContext ac = TestContexts.action().apiClient(client).incident(incident).build();
 * SafetyContext sc = TestContexts.safety().incident(incident).actions(descriptor).build();
 * ProviderContext pc = TestContexts.provider().config(Map.of("llm.model", "x")).build();
 * }</pre>
 */
public final class TestContexts {

    /** The default "now" of every context: 2025-06-01T12:00:00Z. */
    public static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private TestContexts() {
    }

    public static DetectionBuilder detection() {
        return new DetectionBuilder();
    }

    public static ActionBuilder action() {
        return new ActionBuilder();
    }

    public static SafetyBuilder safety() {
        return new SafetyBuilder();
    }

    public static ProviderBuilder provider() {
        return new ProviderBuilder();
    }

    /** An open incident of {@code type} rooted at {@code root}, involving {@code root} and {@code more}. */
    public static Incident incident(String type, ResourceRef root, ResourceRef... more) {
        List<ResourceRef> resources = new ArrayList<>();
        resources.add(root);
        resources.addAll(Arrays.asList(more));
        return new Incident("inc-" + Integer.toHexString(Objects.hash(type, root.key())), type + ":" + root.key(), type,
                Severity.HIGH, root, resources, List.of(), IncidentState.OPEN, NOW, NOW);
    }

    /** As {@link #incident(String, ResourceRef, ResourceRef...)} with findings. */
    public static Incident incident(String type, ResourceRef root, List<ResourceRef> resources, List<Finding> findings) {
        Severity sev = findings.stream().map(Finding::severity).reduce(Severity.LOW, Severity::max);
        return new Incident("inc-" + Integer.toHexString(Objects.hash(type, root.key())), type + ":" + root.key(), type,
                sev, root, resources, findings, IncidentState.OPEN, NOW, NOW);
    }

    /** The reference of a client-java object (kind from the object or its class, uid when set). */
    public static ResourceRef ref(KubernetesObject o) {
        String kind = o.getKind();
        if (kind == null || kind.isBlank()) kind = o.getClass().getSimpleName().replaceFirst("^V\\d+(beta\\d+|alpha\\d+)?", "")
                .replaceFirst("^CoreV1", "");
        V1ObjectMeta md = o.getMetadata();
        return new ResourceRef(kind, md.getNamespace(), md.getName(), md.getUid());
    }

    // ------------------------------------------------------------------ detection

    public record SimpleDetectionContext(ClusterView cluster, ConfigView config, Clock clock) implements DetectionContext {
    }

    public static final class DetectionBuilder {
        private ClusterView cluster = ListClusterView.empty();
        private ConfigView config = ConfigView.empty();
        private Clock clock = CLOCK;

        public DetectionBuilder cluster(ClusterView c) {
            cluster = Objects.requireNonNull(c);
            return this;
        }

        public DetectionBuilder objects(KubernetesObject... objs) {
            cluster = ListClusterView.of(objs);
            return this;
        }

        public DetectionBuilder config(ConfigView c) {
            config = Objects.requireNonNull(c);
            return this;
        }

        public DetectionBuilder config(Map<String, String> c) {
            config = ConfigView.of(c);
            return this;
        }

        public DetectionBuilder clock(Clock c) {
            clock = Objects.requireNonNull(c);
            return this;
        }

        public DetectionContext build() {
            return new SimpleDetectionContext(cluster, config, clock);
        }
    }

    // ------------------------------------------------------------------ action

    /** One Event an action asked to record. */
    public record RecordedEvent(ResourceRef target, String type, String reason, String message) {
    }

    /**
     * An {@link ActionContext} that keeps the Events an action records ({@link #events()}) and, when
     * built with {@link ActionBuilder#postEvents()}, also creates them on the server.
     */
    public static final class RecordingActionContext implements ActionContext {
        private final ApiClient apiClient;
        private final ClusterView cluster;
        private final ConfigView config;
        private final Clock clock;
        private final Incident incident;
        private final boolean post;
        private final List<RecordedEvent> events = Collections.synchronizedList(new ArrayList<>());

        private RecordingActionContext(ActionBuilder b) {
            apiClient = b.apiClient;
            cluster = b.cluster;
            config = b.config;
            clock = b.clock;
            incident = b.incident;
            post = b.post;
        }

        public ApiClient apiClient() {
            if (apiClient == null) throw new IllegalStateException("this ActionContext was built without an ApiClient");
            return apiClient;
        }

        public ClusterView cluster() {
            return cluster;
        }

        public ConfigView config() {
            return config;
        }

        public Clock clock() {
            return clock;
        }

        public Incident incident() {
            return incident;
        }

        public void recordEvent(ResourceRef target, String type, String reason, String message) {
            events.add(new RecordedEvent(target, type, reason, message));
            if (!post || apiClient == null || target.namespace() == null) return;
            try {
                OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
                new CoreV1Api(apiClient).createNamespacedEvent(target.namespace(), new CoreV1Event()
                        .metadata(new V1ObjectMeta().generateName(target.name() + ".").namespace(target.namespace()))
                        .involvedObject(new V1ObjectReference().kind(target.kind()).namespace(target.namespace())
                                .name(target.name()).uid(target.uid()))
                        .type(type).reason(reason).message(message).firstTimestamp(now).lastTimestamp(now).count(1)).execute();
            } catch (Exception e) {
                // recordEvent never throws, as the contract says
            }
        }

        public List<RecordedEvent> events() {
            synchronized (events) {
                return List.copyOf(events);
            }
        }
    }

    public static final class ActionBuilder {
        private ApiClient apiClient;
        private ClusterView cluster = ListClusterView.empty();
        private ConfigView config = ConfigView.empty();
        private Clock clock = CLOCK;
        private Incident incident = TestContexts.incident("test", ResourceRef.of("Pod", "default", "test"));
        private boolean post;

        public ActionBuilder apiClient(ApiClient c) {
            apiClient = c;
            return this;
        }

        public ActionBuilder cluster(ClusterView c) {
            cluster = Objects.requireNonNull(c);
            return this;
        }

        public ActionBuilder config(ConfigView c) {
            config = Objects.requireNonNull(c);
            return this;
        }

        public ActionBuilder config(Map<String, String> c) {
            config = ConfigView.of(c);
            return this;
        }

        public ActionBuilder clock(Clock c) {
            clock = Objects.requireNonNull(c);
            return this;
        }

        public ActionBuilder incident(Incident i) {
            incident = Objects.requireNonNull(i);
            return this;
        }

        /** Also create recorded Events on the server. */
        public ActionBuilder postEvents() {
            post = true;
            return this;
        }

        public RecordingActionContext build() {
            return new RecordingActionContext(this);
        }
    }

    // ------------------------------------------------------------------ safety

    public record SimpleSafetyContext(Incident incident, Map<String, ActionDescriptor> actions, boolean dryRun,
                                      ClusterView cluster, ConfigView config, Clock clock, ActionHistory history,
                                      Function<ResourceRef, List<ResourceRef>> owners) implements SafetyContext {
        public Optional<ActionDescriptor> action(String actionType) {
            return Optional.ofNullable(actions.get(actionType));
        }

        public List<ResourceRef> ownerChain(ResourceRef ref) {
            return owners.apply(ref);
        }
    }

    public static final class SafetyBuilder {
        private Incident incident = TestContexts.incident("test", ResourceRef.of("Pod", "default", "test"));
        private final Map<String, ActionDescriptor> actions = new LinkedHashMap<>();
        private boolean dryRun;
        private ClusterView cluster = ListClusterView.empty();
        private ConfigView config = ConfigView.empty();
        private Clock clock = CLOCK;
        private ActionHistory history = new InMemoryActionHistory();
        private Function<ResourceRef, List<ResourceRef>> owners;

        public SafetyBuilder incident(Incident i) {
            incident = Objects.requireNonNull(i);
            return this;
        }

        public SafetyBuilder actions(ActionDescriptor... ds) {
            for (ActionDescriptor d : ds) actions.put(d.id(), d);
            return this;
        }

        public SafetyBuilder dryRun(boolean d) {
            dryRun = d;
            return this;
        }

        public SafetyBuilder cluster(ClusterView c) {
            cluster = Objects.requireNonNull(c);
            return this;
        }

        public SafetyBuilder config(ConfigView c) {
            config = Objects.requireNonNull(c);
            return this;
        }

        public SafetyBuilder config(Map<String, String> c) {
            config = ConfigView.of(c);
            return this;
        }

        public SafetyBuilder clock(Clock c) {
            clock = Objects.requireNonNull(c);
            return this;
        }

        public SafetyBuilder history(ActionHistory h) {
            history = Objects.requireNonNull(h);
            return this;
        }

        /** Overrides the owner chain (default: follow controller ownerReferences in the cluster view). */
        public SafetyBuilder ownerChain(Function<ResourceRef, List<ResourceRef>> f) {
            owners = Objects.requireNonNull(f);
            return this;
        }

        public SafetyContext build() {
            ClusterView c = cluster;
            return new SimpleSafetyContext(incident, Map.copyOf(actions), dryRun, cluster, config, clock, history,
                    owners != null ? owners : ref -> TestContexts.ownerChain(c, ref));
        }
    }

    private static final Map<String, Class<? extends KubernetesObject>> KINDS = Map.of(
            "Pod", V1Pod.class, "ReplicaSet", V1ReplicaSet.class, "Deployment", V1Deployment.class,
            "StatefulSet", V1StatefulSet.class, "DaemonSet", V1DaemonSet.class, "Job", V1Job.class);

    /** The chain from {@code ref} up its controller ownerReferences, as far as the view knows the objects. */
    public static List<ResourceRef> ownerChain(ClusterView view, ResourceRef ref) {
        List<ResourceRef> chain = new ArrayList<>();
        chain.add(ref);
        ResourceRef cur = ref;
        for (int depth = 0; depth < 8; depth++) {
            Class<? extends KubernetesObject> type = KINDS.get(cur.kind());
            if (type == null) break;
            Optional<? extends KubernetesObject> o = view.get(type, cur.namespace(), cur.name());
            if (o.isEmpty() || o.get().getMetadata().getOwnerReferences() == null) break;
            V1OwnerReference owner = o.get().getMetadata().getOwnerReferences().stream()
                    .filter(r -> Boolean.TRUE.equals(r.getController())).findFirst().orElse(null);
            if (owner == null) break;
            cur = new ResourceRef(owner.getKind(), cur.namespace(), owner.getName(), owner.getUid());
            chain.add(cur);
        }
        return List.copyOf(chain);
    }

    // ------------------------------------------------------------------ provider

    public record SimpleProviderContext(ConfigView config, Optional<ApiClient> apiClient, Clock clock, ClusterView cluster,
                                        OutcomeHistory outcomes) implements ProviderContext {
    }

    public static final class ProviderBuilder {
        private ConfigView config = ConfigView.empty();
        private ApiClient apiClient;
        private Clock clock = CLOCK;
        private ClusterView cluster = ListClusterView.empty();
        private OutcomeHistory outcomes = OutcomeHistory.none();

        public ProviderBuilder config(ConfigView c) {
            config = Objects.requireNonNull(c);
            return this;
        }

        public ProviderBuilder config(Map<String, String> c) {
            config = ConfigView.of(c);
            return this;
        }

        public ProviderBuilder apiClient(ApiClient c) {
            apiClient = c;
            return this;
        }

        public ProviderBuilder clock(Clock c) {
            clock = Objects.requireNonNull(c);
            return this;
        }

        public ProviderBuilder cluster(ClusterView c) {
            cluster = Objects.requireNonNull(c);
            return this;
        }

        public ProviderBuilder outcomes(OutcomeHistory o) {
            outcomes = Objects.requireNonNull(o);
            return this;
        }

        public ProviderContext build() {
            return new SimpleProviderContext(config, Optional.ofNullable(apiClient), clock, cluster, outcomes);
        }
    }
}

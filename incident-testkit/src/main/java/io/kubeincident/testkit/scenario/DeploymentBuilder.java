package io.kubeincident.testkit.scenario;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1DeploymentStrategy;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSetStatus;
import io.kubernetes.client.openapi.models.V1RollingUpdateDeployment;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A Deployment as its controllers leave it: one ReplicaSet per revision (annotation
 * {@code deployment.kubernetes.io/revision}, label {@code pod-template-hash}, controller
 * ownerReferences with the server's uids) and pods owned by the ReplicaSets.
 *
 * <pre>{@code
 * // healthy, 3 replicas
 * Workload w = DeploymentBuilder.deployment("default", "web").replicas(3).create(client);
 * // all pods of the current revision crash-loop
 * DeploymentBuilder.deployment("default", "web").pods(p -> p.crashLoopBackOff(5)).create(client);
 * // revision 2 crash-loops while revision 1 (still serving) was healthy: a stuck rollout
 * DeploymentBuilder.deployment("default", "web").image("web:1").rollout("web:2", p -> p.crashLoopBackOff(4)).create(client);
 * }</pre>
 *
 * <p>Labels and annotations: {@link #label} labels the <em>pod template</em> (so the ReplicaSets'
 * templates and every pod carry it, as a real controller copies template labels); {@link #deploymentLabel}
 * and {@link #annotation} set the Deployment's own metadata, which is what a detector or a policy looking
 * at the Deployment reads. The Deployment itself always carries {@code app=<name>}; the selector is
 * always {@code app=<name>}.
 */
public final class DeploymentBuilder {

    private final String namespace;
    private final String name;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> deploymentLabels = new LinkedHashMap<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private int replicas = 3;
    private String container = "app";
    private final List<String> images = new ArrayList<>(List.of("registry.example.com/app:1.0"));
    private String memoryLimit;
    private Clock clock = Clock.systemUTC();
    private UnaryOperator<PodBuilder> currentPods = PodBuilder::running;
    private UnaryOperator<PodBuilder> rolloutPods;
    private boolean deadlineExceeded;

    private DeploymentBuilder(String namespace, String name) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.name = Objects.requireNonNull(name, "name");
    }

    public static DeploymentBuilder deployment(String namespace, String name) {
        return new DeploymentBuilder(namespace, name);
    }

    public DeploymentBuilder replicas(int n) {
        if (n < 0) throw new IllegalArgumentException("replicas must be >= 0");
        replicas = n;
        return this;
    }

    /**
     * An extra label on the <em>pod template</em>, and so on every ReplicaSet template and pod; not on the
     * Deployment itself (use {@link #deploymentLabel} for that). The selector is always {@code app=<name>}.
     */
    public DeploymentBuilder label(String key, String value) {
        labels.put(key, value);
        return this;
    }

    /** A label on the Deployment's own metadata (not on its pods); {@code app=<name>} is always there. */
    public DeploymentBuilder deploymentLabel(String key, String value) {
        deploymentLabels.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * An annotation on the Deployment's own metadata, beside {@code deployment.kubernetes.io/revision}
     * (which the builder sets and this cannot override).
     */
    public DeploymentBuilder annotation(String key, String value) {
        annotations.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    public DeploymentBuilder container(String containerName) {
        container = containerName;
        return this;
    }

    /** The image of the first revision (default {@code registry.example.com/app:1.0}). */
    public DeploymentBuilder image(String image) {
        images.set(0, image);
        return this;
    }

    /** Adds an older, completed revision before the current one: its ReplicaSet is scaled to 0. */
    public DeploymentBuilder previousRevision(String olderImage) {
        images.add(0, olderImage);
        return this;
    }

    public DeploymentBuilder memoryLimit(String limit) {
        memoryLimit = limit;
        return this;
    }

    public DeploymentBuilder clock(Clock c) {
        clock = Objects.requireNonNull(c, "clock");
        return this;
    }

    /** The state of the pods of the current revision (default running and Ready). */
    public DeploymentBuilder pods(UnaryOperator<PodBuilder> state) {
        currentPods = Objects.requireNonNull(state, "state");
        return this;
    }

    /**
     * A rollout to {@code newImage} that is stuck: the new ReplicaSet has its surge pod(s) in the
     * state {@code newPods} gives them, the previous revision keeps all its Ready pods.
     */
    public DeploymentBuilder rollout(String newImage, UnaryOperator<PodBuilder> newPods) {
        images.add(newImage);
        rolloutPods = Objects.requireNonNull(newPods, "newPods");
        return this;
    }

    /** A stuck rollout whose new pods crash-loop (4 restarts). */
    public DeploymentBuilder crashLoopingRollout(String newImage) {
        return rollout(newImage, p -> p.crashLoopBackOff(4));
    }

    /** The stuck rollout passed its progress deadline (Progressing=False, ProgressDeadlineExceeded). */
    public DeploymentBuilder progressDeadlineExceeded() {
        deadlineExceeded = true;
        return this;
    }

    /** Builds the objects without a server (uids are derived from names). */
    public Workload build() {
        return make(null);
    }

    /** Creates Deployment, ReplicaSets and pods on the server, wiring the server's uids. */
    public Workload create(ApiClient client) throws ApiException {
        Objects.requireNonNull(client, "client");
        return make(client);
    }

    private Workload make(ApiClient client) {
        try {
            return doMake(client);
        } catch (ApiException e) {
            throw new IllegalStateException("creating " + namespace + "/" + name + " failed: " + e.getCode() + " "
                    + e.getResponseBody(), e);
        }
    }

    private Workload doMake(ApiClient client) throws ApiException {
        AppsV1Api apps = client == null ? null : new AppsV1Api(client);
        Instant now = clock.instant();
        int revisions = images.size();
        boolean stuck = rolloutPods != null;
        int surge = stuck ? Math.max(1, (int) Math.ceil(replicas * 0.25)) : 0;
        V1PodTemplateSpec currentTemplate = template(images.get(revisions - 1));
        Map<String, String> selector = Map.of("app", name);

        Map<String, String> ownLabels = new LinkedHashMap<>(deploymentLabels);
        ownLabels.put("app", name);
        Map<String, String> ownAnnotations = new LinkedHashMap<>(annotations);
        ownAnnotations.put("deployment.kubernetes.io/revision", Integer.toString(revisions));
        V1Deployment d = new V1Deployment().apiVersion("apps/v1").kind("Deployment")
                .metadata(new V1ObjectMeta().name(name).namespace(namespace).labels(ownLabels).annotations(ownAnnotations))
                .spec(new V1DeploymentSpec().replicas(replicas).selector(new V1LabelSelector().matchLabels(selector))
                        .template(currentTemplate).revisionHistoryLimit(10).progressDeadlineSeconds(600)
                        .strategy(new V1DeploymentStrategy().type("RollingUpdate").rollingUpdate(new V1RollingUpdateDeployment()
                                .maxSurge(new IntOrString("25%")).maxUnavailable(new IntOrString("25%")))));
        if (client == null) d.getMetadata().uid(uid("Deployment", name)).generation(1L);
        else d = apps.createNamespacedDeployment(namespace, d).execute();

        List<V1ReplicaSet> sets = new ArrayList<>();
        List<V1Pod> pods = new ArrayList<>();
        int ready = 0;
        int updated = 0;
        int total = 0;
        for (int rev = revisions; rev >= 1; rev--) {
            boolean current = rev == revisions;
            int rsReplicas;
            UnaryOperator<PodBuilder> state;
            if (current) {
                rsReplicas = stuck ? surge : replicas;
                state = stuck ? rolloutPods : currentPods;
            } else if (stuck && rev == revisions - 1) {
                rsReplicas = replicas;
                state = PodBuilder::running;
            } else {
                rsReplicas = 0;
                state = PodBuilder::running;
            }
            V1PodTemplateSpec t = template(images.get(rev - 1));
            String hash = Names.templateHash(t);
            t.getMetadata().getLabels().put("pod-template-hash", hash);
            String rsName = name + "-" + hash;
            V1ReplicaSet rs = new V1ReplicaSet().apiVersion("apps/v1").kind("ReplicaSet")
                    .metadata(new V1ObjectMeta().name(rsName).namespace(namespace)
                            .labels(new LinkedHashMap<>(t.getMetadata().getLabels()))
                            .annotations(new LinkedHashMap<>(Map.of("deployment.kubernetes.io/revision", Integer.toString(rev),
                                    "deployment.kubernetes.io/desired-replicas", Integer.toString(replicas),
                                    "deployment.kubernetes.io/max-replicas", Integer.toString(replicas + Math.max(1, (int) Math.ceil(replicas * 0.25))))))
                            .ownerReferences(List.of(new V1OwnerReference().apiVersion("apps/v1").kind("Deployment").name(name)
                                    .uid(d.getMetadata().getUid()).controller(true).blockOwnerDeletion(true))))
                    .spec(new V1ReplicaSetSpec().replicas(rsReplicas)
                            .selector(new V1LabelSelector().matchLabels(Map.of("app", name, "pod-template-hash", hash)))
                            .template(t));
            List<PodBuilder> builders = new ArrayList<>();
            int rsReady = 0;
            for (int i = 0; i < rsReplicas; i++) {
                PodBuilder pb = PodBuilder.pod(namespace, rsName + "-" + Names.suffix(rsName + "/" + i))
                        .labels(t.getMetadata().getLabels()).spec(t.getSpec()).clock(clock)
                        .node("node-" + (i % 3 + 1)).age(current && stuck ? Duration.ofMinutes(12) : Duration.ofHours(2));
                if (memoryLimit != null) pb.memoryLimit(memoryLimit);
                pb = state.apply(pb);
                builders.add(pb);
            }
            List<V1Pod> built = new ArrayList<>();
            for (PodBuilder pb : builders) built.add(pb.build());
            for (V1Pod p : built) if (PodStates.ready(p)) rsReady++;
            rs.status(new V1ReplicaSetStatus().replicas(rsReplicas).fullyLabeledReplicas(rsReplicas).readyReplicas(rsReady)
                    .availableReplicas(rsReady).observedGeneration(1L));
            if (client == null) rs.getMetadata().uid(uid("ReplicaSet", rsName)).generation(1L);
            else rs = apps.createNamespacedReplicaSet(namespace, rs).execute();
            sets.add(rs);
            for (PodBuilder pb : builders) {
                pb.ownedBy(rs);
                V1Pod p = pb.build();
                if (client == null) {
                    p.getMetadata().uid(uid("Pod", p.getMetadata().getName()));
                    pods.add(p);
                } else {
                    pods.add(new io.kubernetes.client.openapi.apis.CoreV1Api(client).createNamespacedPod(namespace, p).execute());
                }
            }
            total += rsReplicas;
            ready += rsReady;
            if (current) updated = rsReplicas;
        }
        String currentRs = sets.get(0).getMetadata().getName();
        V1DeploymentCondition available = new V1DeploymentCondition().type("Available")
                .status(ready >= replicas - (int) Math.floor(replicas * 0.25) ? "True" : "False")
                .reason(ready >= replicas - (int) Math.floor(replicas * 0.25) ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable")
                .message(ready >= replicas - (int) Math.floor(replicas * 0.25) ? "Deployment has minimum availability."
                        : "Deployment does not have minimum availability.")
                .lastUpdateTime(PodBuilder.odt(now.minus(Duration.ofHours(2)))).lastTransitionTime(PodBuilder.odt(now.minus(Duration.ofHours(2))));
        V1DeploymentCondition progressing;
        if (stuck && deadlineExceeded) {
            progressing = new V1DeploymentCondition().type("Progressing").status("False").reason("ProgressDeadlineExceeded")
                    .message("ReplicaSet \"" + currentRs + "\" has timed out progressing.");
        } else if (stuck) {
            progressing = new V1DeploymentCondition().type("Progressing").status("True").reason("ReplicaSetUpdated")
                    .message("ReplicaSet \"" + currentRs + "\" is progressing.");
        } else {
            progressing = new V1DeploymentCondition().type("Progressing").status("True").reason("NewReplicaSetAvailable")
                    .message("ReplicaSet \"" + currentRs + "\" has successfully progressed.");
        }
        progressing.lastUpdateTime(PodBuilder.odt(now.minus(Duration.ofMinutes(2))))
                .lastTransitionTime(PodBuilder.odt(now.minus(stuck ? Duration.ofMinutes(12) : Duration.ofHours(2))));
        d.status(new V1DeploymentStatus().observedGeneration(d.getMetadata().getGeneration() == null ? 1L : d.getMetadata().getGeneration())
                .replicas(total).updatedReplicas(updated).readyReplicas(ready).availableReplicas(ready)
                .unavailableReplicas(total > ready ? total - ready : null)
                .conditions(List.of(available, progressing)));
        if (client != null) d = replaceStatus(apps, d);
        return new Workload(d, sets, pods);
    }

    /**
     * Writes the Deployment's status as its controller would: a live engine may change the object meanwhile (an
     * action annotating it the moment it appears), so a 409 re-reads it and writes the status again, a few times.
     */
    private V1Deployment replaceStatus(AppsV1Api apps, V1Deployment d) throws ApiException {
        for (int attempt = 1; ; attempt++) {
            try {
                return apps.replaceNamespacedDeploymentStatus(name, namespace, d).execute();
            } catch (ApiException e) {
                if (e.getCode() != 409 || attempt >= 5) throw e;
                V1DeploymentStatus status = d.getStatus();
                d = apps.readNamespacedDeployment(name, namespace).execute().status(status);
            }
        }
    }

    private V1PodTemplateSpec template(String image) {
        Map<String, String> l = new LinkedHashMap<>(Map.of("app", name));
        l.putAll(labels);
        V1PodTemplateSpec t = new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(l))
                .spec(new V1PodSpec().containers(new ArrayList<>(List.of(new V1Container().name(container).image(image)))));
        return JSON.deserialize(JSON.serialize(t), V1PodTemplateSpec.class);
    }

    private String uid(String kind, String n) {
        String s = Names.suffix(kind + "/" + namespace + "/" + n) + Names.suffix(n + "/" + kind);
        return "00000000-0000-4000-8000-00" + s;
    }
}

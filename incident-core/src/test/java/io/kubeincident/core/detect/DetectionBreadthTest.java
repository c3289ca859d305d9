package io.kubeincident.core.detect;

import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.*;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static io.kubeincident.core.fixtures.Assertions2.*;
import static io.kubeincident.core.fixtures.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The failures the catalogue used to miss (sandbox creation, lost claims, node-problem-detector conditions,
 * autoscalers that cannot act), the configuration defects reported at low severity, and exit 137 told apart
 * (eviction, grace period, OOM). Each case has a positive test and a look-alike that must stay quiet; the
 * deliberate states at the end are run through every built-in detector at once.
 */
class DetectionBreadthTest {

    final V1Deployment web = deployment("shop", "web", 3, "registry.example.com/shop/web:1.4.2");
    final V1ReplicaSet rs = replicaSet(web, "7d9c5b8f4", 2, "registry.example.com/shop/web:1.4.2", 3, minutesAgo(90));

    V1Pod healthy() {
        return pod(rs, "x2k9q", "node-a");
    }

    static List<Finding> run(Detector d, KubernetesObject o, KubernetesObject... others) {
        List<KubernetesObject> all = new ArrayList<>();
        all.add(o);
        all.addAll(List.of(others));
        return d.detect(o, context(all));
    }

    static DetectionConfig config(String... kv) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return DetectionConfig.from(ConfigView.of(m));
    }

    // ------------------------------------------------------------------ sandbox

    @Nested
    class SandboxFailed {
        final PodSandboxFailedDetector detector = new PodSandboxFailedDetector();
        static final String CNI = "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "
                + "\"5b7e3c\": plugin type=\"calico\" failed (add): error getting ClusterInformation: connection is unauthorized: Unauthorized";

        V1Pod creating() {
            return waiting(healthy(), "ContainerCreating", null, minutesAgo(15));
        }

        @Test
        void sandboxFailingForManyMinutesIsReportedWithTheCniMessage() {
            V1Pod p = creating();
            CoreV1Event e = event(p, "Warning", "FailedCreatePodSandBox", CNI, 25, minutesAgo(12), secondsAgo(30));
            Finding x = one(run(detector, p, e));
            assertEquals(IncidentTypes.POD_SANDBOX_FAILED, x.incidentType());
            assertEquals(Severity.HIGH, x.severity());
            hasFacts(x, "reason", "FailedCreatePodSandBox", "sandboxFailure", "network", "eventCount", "25",
                    "failingMinutes", "12", "nodeName", "node-a", "ownerKind", "ReplicaSet");
            contains(x.fact("message"), "calico");
            contains(x.message(), "cannot create its sandbox for 12 min");
        }

        @Test
        void runtimeFailureIsToldFromNetwork() {
            V1Pod p = creating();
            CoreV1Event e = event(p, "Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: rpc error: code = Unknown "
                    + "desc = failed to create containerd task: failed to create shim task: OCI runtime create failed", 9,
                    minutesAgo(8), secondsAgo(40));
            hasFacts(one(run(detector, p, e)), "sandboxFailure", "runtime");
        }

        @Test
        void thresholdIsConfigurable() {
            V1Pod p = creating();
            CoreV1Event e = event(p, "Warning", "FailedCreatePodSandBox", CNI, 6, minutesAgo(3), secondsAgo(20));
            none(run(detector, p, e));
            assertEquals(1, run(new PodSandboxFailedDetector(config("detection.sandbox_failure_threshold", "2m")), p, e).size());
        }

        @Test
        void lookAlikePullingImageOrRecoveredSandboxIsNotReported() {
            V1Pod pulling = creating();
            CoreV1Event pull = event(pulling, "Normal", "Pulling", "Pulling image \"registry.example.com/shop/web:1.4.2\"",
                    1, minutesAgo(12), minutesAgo(12));
            none(run(detector, pulling, pull));
            // A sandbox that failed a few times and then came up: the pod runs.
            V1Pod recovered = healthy();
            CoreV1Event old = event(recovered, "Warning", "FailedCreatePodSandBox", CNI, 3, minutesAgo(40), minutesAgo(38));
            none(run(detector, recovered, old));
        }

        @Test
        void lookAlikeSchedulingGatedPodIsNotReported() {
            V1Pod gated = gated(healthy());
            none(run(detector, gated));
            none(run(new UnschedulableDetector(), gated));
        }
    }

    /** A pod held by a scheduling gate, as the API server leaves it: Pending, not scheduled, SchedulingGated. */
    static V1Pod gated(V1Pod p) {
        p.getSpec().nodeName(null).addSchedulingGatesItem(new V1PodSchedulingGate().name("example.com/quota-check"));
        p.getMetadata().creationTimestamp(minutesAgo(45));
        p.getStatus().phase("Pending").startTime(null).containerStatuses(null).podIP(null).hostIP(null)
                .conditions(new ArrayList<>(List.of(cond("PodScheduled", "False", "SchedulingGated",
                        "Scheduling is blocked due to non-empty scheduling gates", minutesAgo(45)))));
        return p;
    }

    // ------------------------------------------------------------------ PVC lost

    @Nested
    class PvcLost {
        final PvcLostDetector detector = new PvcLostDetector();

        V1PersistentVolumeClaim claim(String phase) {
            return new V1PersistentVolumeClaim().apiVersion("v1").kind("PersistentVolumeClaim")
                    .metadata(meta("data", "data-postgres-0", minutesAgo(60 * 24 * 30)))
                    .spec(new V1PersistentVolumeClaimSpec().storageClassName("gp3").volumeName("pvc-3f2a1c9e")
                            .accessModes(List.of("ReadWriteOnce"))
                            .resources(new V1VolumeResourceRequirements().putRequestsItem("storage",
                                    io.kubernetes.client.custom.Quantity.fromString("20Gi"))))
                    .status(new V1PersistentVolumeClaimStatus().phase(phase));
        }

        V1Pod mounting(String pod, String claim) {
            V1Pod p = pod("data", pod, "postgres:16", "node-a");
            p.getSpec().addVolumesItem(new V1Volume().name("data")
                    .persistentVolumeClaim(new V1PersistentVolumeClaimVolumeSource().claimName(claim)));
            return p;
        }

        @Test
        void lostClaimIsReportedWithItsVolumeAndPods() {
            V1PersistentVolumeClaim c = claim("Lost");
            Finding x = one(run(detector, c, mounting("postgres-0", "data-postgres-0"), mounting("backup-1", "backup")));
            assertEquals(IncidentTypes.PVC_LOST, x.incidentType());
            assertEquals(Severity.HIGH, x.severity());
            hasFacts(x, "volumeName", "pvc-3f2a1c9e", "storageClass", "gp3", "mountingPods", "postgres-0",
                    "mountingPodCount", "1", "reason", "ClaimLost");
        }

        @Test
        void lookAlikeBoundPendingOrDeletedClaimIsNotReported() {
            none(run(detector, claim("Bound")));
            none(run(detector, claim("Pending")));
            V1PersistentVolumeClaim deleting = claim("Lost");
            deleting.getMetadata().deletionTimestamp(minutesAgo(1));
            none(run(detector, deleting));
        }
    }

    // ------------------------------------------------------------------ node problems

    @Nested
    class NodeProblem {
        final NodeProblemDetector detector = new NodeProblemDetector();

        V1Node withCondition(String type, String status, long minutes) {
            V1Node n = node("node-a");
            setNodeCondition(n, type, status, type.equals("KernelDeadlock") ? "DockerHung" : "Problem",
                    "kernel: INFO: task docker:20744 blocked for more than 120 seconds.", minutesAgo(minutes));
            return n;
        }

        @Test
        void kernelDeadlockIsAHighSeverityNodeProblem() {
            V1Node n = withCondition("KernelDeadlock", "True", 20);
            Finding x = one(run(detector, n, pod("shop", "web-1", "web:1", "node-a")));
            assertEquals(IncidentTypes.NODE_PROBLEM, x.incidentType());
            assertEquals(Severity.HIGH, x.severity());
            hasFacts(x, "problem", "KernelDeadlock", "knownProblem", "true", "reason", "DockerHung", "podCount", "1",
                    "condition.KernelDeadlock", "True", "nodeName", "node-a");
            contains(x.fact("condition.KernelDeadlock.message"), "blocked for more than 120 seconds");
        }

        @Test
        void everyDefaultConditionCounts() {
            for (String type : DetectionConfig.DEFAULT_NODE_PROBLEM_CONDITIONS) {
                assertEquals(Severity.HIGH, one(run(detector, withCondition(type, "True", 5))).severity(), type);
            }
        }

        @Test
        void unknownConditionTrueIsLowSeverityUnlessBenign() {
            V1Node n = withCondition("GpuXidErrors", "True", 5);
            Finding x = one(run(detector, n));
            assertEquals(Severity.LOW, x.severity());
            hasFacts(x, "problem", "GpuXidErrors", "knownProblem", "false");
            DetectionConfig benign = config("detection.node_benign_conditions", "GpuXidErrors");
            none(run(new NodeProblemDetector(benign), n));
        }

        @Test
        void theConfiguredSetReplacesTheDefault() {
            DetectionConfig c = config("detection.node_problem_conditions", "GpuXidErrors");
            assertEquals(Severity.HIGH, one(run(new NodeProblemDetector(c), withCondition("GpuXidErrors", "True", 5))).severity());
            // KernelDeadlock is no longer in the set: still True, so it counts as unknown, at low severity.
            assertEquals(Severity.LOW, one(run(new NodeProblemDetector(c), withCondition("KernelDeadlock", "True", 5))).severity());
        }

        @Test
        void lookAlikeHealthyFreshBenignOrStandardConditionsAreNotReported() {
            none(run(detector, withCondition("KernelDeadlock", "False", 600)));
            none(run(detector, withCondition("KernelDeadlock", "True", 0)));
            none(run(detector, withCondition("EtcdIsVoter", "True", 600)));   // k3s: True on healthy servers
            V1Node pressure = node("node-b");
            setNodeCondition(pressure, "MemoryPressure", "True", "KubeletHasInsufficientMemory", "x", minutesAgo(10));
            none(run(detector, pressure));                                       // the node-pressure detector's
            none(run(detector, node("node-c")));
            V1Node leaving = withCondition("ReadonlyFilesystem", "True", 30);
            leaving.getSpec().addTaintsItem(new V1Taint().key("ToBeDeletedByClusterAutoscaler").value("1717236000").effect("NoSchedule"));
            none(run(detector, leaving));
        }

        @Test
        void badConditionListsAreRefusedByKey() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config(
                    "detection.node_problem_conditions", "KernelDeadlock, Ready, bad type!",
                    "detection.node_benign_conditions", "KernelDeadlock"));
            contains(e.getMessage(), "Ready is a kubelet condition", "not a condition type: 'bad type!'",
                    "both list KernelDeadlock");
        }
    }

    @Test
    void newThresholdsAreValidatedAndUnknownDetectionKeysAreErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config(
                "detection.sandbox_failure_threshold", "-1m", "detection.hpa_cannot_act_threshold", "soon"));
        contains(e.getMessage(), "detection.sandbox_failure_threshold", "detection.hpa_cannot_act_threshold");
        // The engine's one key check knows the new keys and refuses a misspelt one with the nearest known key.
        io.kubeincident.core.IncidentEngine.builder().discovery(false).logAudit(false).config(java.util.Map.of(
                "detection.sandbox_failure_threshold", "3m", "detection.node_problem_threshold", "1m",
                "detection.hpa_cannot_act_threshold", "5m", "detection.missing_reference_threshold", "2m",
                "detection.node_problem_conditions", "KernelDeadlock", "detection.node_benign_conditions", "EtcdIsVoter"))
                .build().close();
        io.kubeincident.core.config.ConfigException typo = assertThrows(io.kubeincident.core.config.ConfigException.class,
                () -> io.kubeincident.core.IncidentEngine.builder().discovery(false).logAudit(false)
                        .config(java.util.Map.of("detection.missing_refrence_threshold", "5m")).build());
        contains(String.join("; ", typo.problems()),
                "detection.missing_refrence_threshold: unknown key (did you mean detection.missing_reference_threshold?)");
        DetectionConfig c = config("detection.missing_reference_threshold", "90s", "detection.node_problem_threshold", "0s");
        assertEquals(java.time.Duration.ofSeconds(90), c.missingReferenceThreshold());
        assertEquals(java.time.Duration.ZERO, c.nodeProblemThreshold());
    }

    // ------------------------------------------------------------------ autoscalers

    static V2HorizontalPodAutoscaler hpa(String target) {
        return new V2HorizontalPodAutoscaler().apiVersion("autoscaling/v2").kind("HorizontalPodAutoscaler")
                .metadata(meta("shop", "web", minutesAgo(6000)))
                .spec(new V2HorizontalPodAutoscalerSpec().minReplicas(2).maxReplicas(10)
                        .scaleTargetRef(new V2CrossVersionObjectReference().apiVersion("apps/v1").kind("Deployment").name(target))
                        .addMetricsItem(new V2MetricSpec().type("Resource").resource(new V2ResourceMetricSource().name("cpu")
                                .target(new V2MetricTarget().type("Utilization").averageUtilization(70)))))
                .status(new V2HorizontalPodAutoscalerStatus().currentReplicas(3).desiredReplicas(3)
                        .addConditionsItem(hpaCond("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size", 500))
                        .addConditionsItem(hpaCond("ScalingActive", "True", "ValidMetricFound",
                                "the HPA was able to successfully calculate a replica count from cpu resource utilization", 500))
                        .addConditionsItem(hpaCond("ScalingLimited", "False", "DesiredWithinRange",
                                "the desired count is within the acceptable range", 500)));
    }

    static V2HorizontalPodAutoscalerCondition hpaCond(String type, String status, String reason, String message, long minutes) {
        return new V2HorizontalPodAutoscalerCondition().type(type).status(status).reason(reason).message(message)
                .lastTransitionTime(minutesAgo(minutes));
    }

    static void setHpaCond(V2HorizontalPodAutoscaler h, V2HorizontalPodAutoscalerCondition c) {
        h.getStatus().getConditions().removeIf(x -> x.getType().equals(c.getType()));
        h.getStatus().addConditionsItem(c);
    }

    @Nested
    class HpaCannotAct {
        final HpaCannotActDetector detector = new HpaCannotActDetector();

        @Test
        void rejectedScaleUpdatesAreHpaCannotScale() {
            V2HorizontalPodAutoscaler h = hpa("web");
            h.getStatus().desiredReplicas(6);
            setHpaCond(h, hpaCond("AbleToScale", "False", "FailedUpdateScale", "the HPA controller was unable to update the "
                    + "target scale: admission webhook \"replicas.policy.example.com\" denied the request: replicas are frozen", 25));
            Finding x = one(run(detector, h, web));
            assertEquals(IncidentTypes.HPA_CANNOT_SCALE, x.incidentType());
            hasFacts(x, "reason", "FailedUpdateScale", "condition", "AbleToScale", "currentReplicas", "3",
                    "desiredReplicas", "6", "targetKind", "Deployment", "targetName", "web");
            contains(x.message(), "cannot scale its target");
        }

        @Test
        void missingRequestsAreHpaMetricsUnavailableNotHpaMaxed() {
            V2HorizontalPodAutoscaler h = hpa("web");
            setHpaCond(h, hpaCond("ScalingActive", "False", "FailedGetResourceMetric", "the HPA was unable to compute the "
                    + "replica count: failed to get cpu utilization: missing request for cpu in container app of Pod web-7d9c5b8f4-x2k9q", 30));
            Finding x = one(run(detector, h, web));
            assertEquals(IncidentTypes.HPA_METRICS_UNAVAILABLE, x.incidentType());
            hasFacts(x, "reason", "FailedGetResourceMetric", "condition", "ScalingActive");
            none(run(new HpaMaxedDetector(), h, web));
        }

        @Test
        void lookAlikeTargetScaledToZeroFreshOrHealthyIsNotReported() {
            V1Deployment zero = deployment("shop", "web", 0, "web:1");
            V2HorizontalPodAutoscaler disabled = hpa("web");
            disabled.getStatus().currentReplicas(0).desiredReplicas(0);
            setHpaCond(disabled, hpaCond("ScalingActive", "False", "ScalingDisabled",
                    "scaling is disabled since the replica count of the target is zero", 300));
            none(run(detector, disabled, zero));
            none(run(new HpaTargetMissingDetector(), disabled, zero));
            none(run(new HpaMaxedDetector(), disabled, zero));
            V2HorizontalPodAutoscaler fresh = hpa("web");
            setHpaCond(fresh, hpaCond("ScalingActive", "False", "FailedGetResourceMetric", "unable to get metrics", 2));
            none(run(detector, fresh, web));
            none(run(detector, hpa("web"), web));
        }

        @Test
        void aMissingTargetIsLeftToTheConfigurationDefect() {
            V2HorizontalPodAutoscaler h = hpa("web-v2");
            setHpaCond(h, hpaCond("AbleToScale", "False", "FailedGetScale",
                    "the HPA controller was unable to get the target's current scale: deployments/scale.apps \"web-v2\" not found", 40));
            none(run(detector, h, web));
        }
    }

    @Nested
    class HpaTargetMissing {
        final HpaTargetMissingDetector detector = new HpaTargetMissingDetector();

        @Test
        void targetDeploymentMissingIsALowSeverityDefect() {
            V2HorizontalPodAutoscaler h = hpa("web-v2");
            setHpaCond(h, hpaCond("AbleToScale", "False", "FailedGetScale",
                    "the HPA controller was unable to get the target's current scale: deployments/scale.apps \"web-v2\" not found", 40));
            Finding x = one(run(detector, h, web));
            assertEquals(IncidentTypes.HPA_TARGET_MISSING, x.incidentType());
            assertEquals(Severity.LOW, x.severity());
            hasFacts(x, "reason", "ScaleTargetNotFound", "targetKind", "Deployment", "targetName", "web-v2");
            contains(x.message(), "Deployment web-v2", "does not exist");
        }

        @Test
        void unwatchedKindIsJudgedByTheControllersNotFound() {
            V2HorizontalPodAutoscaler h = hpa("web");
            h.getSpec().getScaleTargetRef().apiVersion("argoproj.io/v1alpha1").kind("Rollout");
            none(run(detector, h));                   // nothing says it is missing
            setHpaCond(h, hpaCond("AbleToScale", "False", "FailedGetScale",
                    "the HPA controller was unable to get the target's current scale: rollouts.argoproj.io \"web\" not found", 40));
            hasFacts(one(run(detector, h)), "targetKind", "Rollout");
        }

        @Test
        void lookAlikeExistingTargetOrFreshAutoscalerIsNotReported() {
            none(run(detector, hpa("web"), web));
            V2HorizontalPodAutoscaler fresh = hpa("web-v2");
            fresh.getMetadata().creationTimestamp(minutesAgo(1));  // applied before its Deployment
            none(run(detector, fresh, web));
        }
    }

    // ------------------------------------------------------------------ exit 137

    @Nested
    class Exit137 {

        /** A pod the kubelet evicted for ephemeral storage: its container ended with 137, reason Error. */
        V1Pod evictedForStorage(String message) {
            V1Pod pod = healthy();
            pod.getStatus().phase("Failed").reason("Evicted").message(message);
            setCondition(pod, "DisruptionTarget", "True", "TerminationByKubelet", "ephemeral-storage", minutesAgo(6));
            setCondition(pod, "Ready", "False", "PodFailed", null, minutesAgo(6));
            container(pod).ready(false).state(new V1ContainerState().terminated(new V1ContainerStateTerminated()
                    .exitCode(137).reason("Error").startedAt(minutesAgo(100)).finishedAt(minutesAgo(6))));
            return pod;
        }

        @Test
        void ephemeralStorageEvictionIsEvictedNotOom() {
            V1Pod pod = evictedForStorage("Pod ephemeral local storage usage exceeds the total limit of containers 2Gi. ");
            none(run(new OomKilledDetector(), pod));
            none(run(new GracePeriodExceededDetector(), pod));
            none(run(new BarePodFailedDetector(), pod));
            Finding x = one(run(new EvictedDetector(), pod));
            hasFacts(x, "evictionResource", "ephemeral-storage", "evictionScope", "pod-limit", "limit", "2Gi");
        }

        @Test
        void containerAndEmptyDirLimitsAndNodePressureAreToldApart() {
            hasFacts(one(run(new EvictedDetector(), evictedForStorage(
                            "Container app exceeded its local ephemeral storage limit \"1Gi\". "))),
                    "evictionResource", "ephemeral-storage", "evictionScope", "container-limit", "evictedContainer", "app",
                    "limit", "1Gi");
            hasFacts(one(run(new EvictedDetector(), evictedForStorage(
                            "Usage of EmptyDir volume \"cache\" exceeds the limit \"500Mi\". "))),
                    "evictionScope", "emptydir-limit", "volume", "cache", "limit", "500Mi");
            hasFacts(one(run(new EvictedDetector(), evictedForStorage("The node was low on resource: ephemeral-storage. "
                            + "Threshold quantity: 10Gi, available: 9Gi. Container app was using 6Gi, request is 0, has larger "
                            + "consumption of ephemeral-storage. "))),
                    "evictionResource", "ephemeral-storage", "evictionScope", "node-pressure");
            V1Pod memory = evictedForStorage("The node was low on resource: memory. Threshold quantity: 100Mi, available: 41Mi. ");
            none(run(new OomKilledDetector(), memory));
            hasFacts(one(run(new EvictedDetector(), memory)), "evictionResource", "memory");
        }

        @Test
        void killedAfterTheGracePeriodIsItsOwnType() {
            V1Pod pod = crashLooping(healthy(), 2, 137, "Error");
            container(pod).ready(true).state(new V1ContainerState().running(new V1ContainerStateRunning().startedAt(secondsAgo(15))));
            pod.getSpec().terminationGracePeriodSeconds(10L);
            CoreV1Event killing = event(pod, "Normal", "Killing", "Container app failed startup probe, will be restarted",
                    2, minutesAgo(20), secondsAgo(35));
            none(run(new OomKilledDetector(), pod, killing));
            Finding x = one(run(new GracePeriodExceededDetector(), pod, killing));
            assertEquals(IncidentTypes.GRACE_PERIOD_EXCEEDED, x.incidentType());
            hasFacts(x, "container", "app", "exitCode", "137", "gracePeriodSeconds", "10", "preStopHook", "false",
                    "stopReason", "Container app failed startup probe, will be restarted");
            contains(x.message(), "did not stop within its 10s grace period");
        }

        @Test
        void theKillingEventMustNameTheContainer() {
            V1Pod pod = crashLooping(healthy(), 2, 137, "Error");
            CoreV1Event other = event(pod, "Normal", "Killing", "Stopping container sidecar", 1, minutesAgo(2), minutesAgo(2));
            none(run(new GracePeriodExceededDetector(), pod, other));
            assertEquals(1, run(new OomKilledDetector(), pod, other).size());
        }

        @Test
        void deadlineExceededRunOncePodWasStopped() {
            V1Pod pod = pod("batch", "export", "export:1", "node-a");
            pod.getSpec().restartPolicy("Never").activeDeadlineSeconds(600L);
            pod.getStatus().phase("Failed").reason("DeadlineExceeded").message("Pod was active on the node longer than the specified deadline");
            container(pod).ready(false).state(new V1ContainerState().terminated(new V1ContainerStateTerminated()
                    .exitCode(137).reason("Error").finishedAt(minutesAgo(3))));
            none(run(new OomKilledDetector(), pod));
            hasFacts(one(run(new GracePeriodExceededDetector(), pod)), "stopReason",
                    "DeadlineExceeded: Pod was active on the node longer than the specified deadline");
        }

        @Test
        void lookAlikeRealOomKillIsStillOom() {
            V1Pod pod = oomKilled(healthy(), 3);
            CoreV1Event killing = event(pod, "Normal", "Killing", "Stopping container app", 1, minutesAgo(1), minutesAgo(1));
            none(run(new GracePeriodExceededDetector(), pod, killing));   // reason OOMKilled, not a SIGKILL from the kubelet
            assertEquals(1, run(new OomKilledDetector(), pod, killing).size());
            V1Pod plain = crashLooping(healthy(), 3, 137, "Error");     // 137 under a limit, nothing else to explain it
            none(run(new GracePeriodExceededDetector(), plain));
            assertEquals(1, run(new OomKilledDetector(), plain).size());
        }

        @Test
        void lookAlikeRecoveredOrTerminatingIsNotReported() {
            V1Pod pod = crashLooping(healthy(), 1, 137, "Error");
            container(pod).getLastState().getTerminated().finishedAt(minutesAgo(40));
            container(pod).ready(true).state(new V1ContainerState().running(new V1ContainerStateRunning().startedAt(minutesAgo(40))));
            CoreV1Event killing = event(pod, "Normal", "Killing", "Stopping container app", 1, minutesAgo(41), minutesAgo(41));
            none(run(new GracePeriodExceededDetector(), pod, killing));
            V1Pod going = crashLooping(healthy(), 1, 137, "Error");
            going.getMetadata().deletionTimestamp(secondsAgo(5));
            none(run(new GracePeriodExceededDetector(), going, killing));
        }
    }

    // ------------------------------------------------------------------ configuration defects

    @Nested
    class BarePodFailed {
        final BarePodFailedDetector detector = new BarePodFailedDetector();

        V1Pod runOnce(String policy, int exit) {
            V1Pod p = pod("default", "migrate-db", "registry.example.com/tools/migrate:3", "node-a");
            p.getSpec().restartPolicy(policy);
            p.getStatus().phase("Failed");
            setCondition(p, "Ready", "False", "PodFailed", null, minutesAgo(12));
            container(p).ready(false).started(false).state(new V1ContainerState().terminated(new V1ContainerStateTerminated()
                    .exitCode(exit).reason("Error").message("migration 0042 failed: relation \"orders\" already exists")
                    .startedAt(minutesAgo(13)).finishedAt(minutesAgo(12))));
            return p;
        }

        @Test
        void failedBareRunOncePodIsALowSeverityDefect() {
            Finding x = one(run(detector, runOnce("Never", 1)));
            assertEquals(IncidentTypes.BARE_POD_FAILED, x.incidentType());
            assertEquals(Severity.LOW, x.severity());
            hasFacts(x, "restartPolicy", "Never", "container", "app", "exitCode", "1", "reason", "Failed",
                    "message", "migration 0042 failed: relation \"orders\" already exists");
            lacksFacts(x, "ownerKind");
            contains(x.message(), "nothing will run it again");
            assertEquals(1, run(detector, runOnce("OnFailure", 2)).size());
        }

        @Test
        void lookAlikeJobPodWithinItsBackoffLimitIsNotReported() {
            V1Job job = new V1Job().apiVersion("batch/v1").kind("Job").metadata(meta("default", "migrate-db", minutesAgo(14)))
                    .spec(new V1JobSpec().backoffLimit(6).template(new V1PodTemplateSpec().spec(podSpec("migrate:3").restartPolicy("Never"))))
                    .status(new V1JobStatus().failed(2).active(1).startTime(minutesAgo(14)));
            V1Pod p = runOnce("Never", 1);
            p.getMetadata().addOwnerReferencesItem(ownerRef(job, "Job", "batch/v1"));
            none(run(detector, p, job));
            none(run(new JobFailedDetector(), job, p));
        }

        @Test
        void lookAlikeSucceededAlwaysOldOrEvictedPodsAreNotReported() {
            V1Pod ok = runOnce("Never", 0);
            ok.getStatus().phase("Succeeded");
            none(run(detector, ok));
            none(run(detector, runOnce("Always", 1)));
            V1Pod old = runOnce("Never", 1);
            container(old).getState().getTerminated().finishedAt(minutesAgo(60 * 24));
            none(run(detector, old));
            V1Pod evicted = runOnce("Never", 137);
            evicted.getStatus().reason("Evicted").message("The node was low on resource: memory.");
            none(run(detector, evicted));
        }
    }

    @Nested
    class StatefulSetServiceMissing {
        final StatefulSetServiceMissingDetector detector = new StatefulSetServiceMissingDetector();

        V1StatefulSet sts(String serviceName, long ageMinutes) {
            return new V1StatefulSet().apiVersion("apps/v1").kind("StatefulSet").metadata(meta("data", "postgres", minutesAgo(ageMinutes)))
                    .spec(new V1StatefulSetSpec().replicas(3).serviceName(serviceName)
                            .selector(new V1LabelSelector().matchLabels(labels("app", "postgres")))
                            .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(labels("app", "postgres")))
                                    .spec(podSpec("postgres:16"))))
                    .status(new V1StatefulSetStatus().replicas(3).readyReplicas(3));
        }

        V1Service headless(String name) {
            return new V1Service().apiVersion("v1").kind("Service").metadata(meta("data", name, minutesAgo(600)))
                    .spec(new V1ServiceSpec().clusterIP("None").selector(labels("app", "postgres"))
                            .addPortsItem(new V1ServicePort().port(5432)));
        }

        @Test
        void missingGoverningServiceIsALowSeverityDefect() {
            Finding x = one(run(detector, sts("postgres-headless", 600), headless("postgres")));
            assertEquals(IncidentTypes.STATEFULSET_SERVICE_MISSING, x.incidentType());
            assertEquals(Severity.LOW, x.severity());
            hasFacts(x, "serviceName", "postgres-headless", "reason", "ServiceNotFound", "replicas", "3");
        }

        @Test
        void lookAlikeServicePresentUnnamedOrFreshIsNotReported() {
            none(run(detector, sts("postgres", 600), headless("postgres")));
            none(run(detector, sts("", 600)));
            none(run(detector, sts("postgres-headless", 2)));   // applied just before its Service
        }

        @Test
        void servicesNotWatchedMeansUnknownNotMissing() {
            V1StatefulSet s = sts("postgres-headless", 600);
            ClusterView base = context(s).cluster();
            ClusterView noServices = new ClusterView() {
                public <T extends KubernetesObject> List<T> list(Class<T> type, String ns) {
                    return base.list(type, ns);
                }

                public <T extends KubernetesObject> java.util.Optional<T> get(Class<T> type, String ns, String name) {
                    return base.get(type, ns, name);
                }

                public <T extends KubernetesObject> List<T> ownedBy(Class<T> type, String uid) {
                    return base.ownedBy(type, uid);
                }

                public List<V1Pod> podsOnNode(String node) {
                    return base.podsOnNode(node);
                }

                public List<CoreV1Event> eventsFor(io.kubeincident.api.ResourceRef ref) {
                    return base.eventsFor(ref);
                }

                public boolean available(Class<? extends KubernetesObject> type) {
                    return type != V1Service.class;
                }
            };
            DetectionContext ctx = new BasicDetectionContext(noServices, ConfigView.empty(), CLOCK);
            none(detector.detect(s, ctx));
        }
    }

    @Nested
    class ManualEndpointsNotReady {
        final ManualEndpointsNotReadyDetector detector = new ManualEndpointsNotReadyDetector();

        V1Service external() {
            return new V1Service().apiVersion("v1").kind("Service").metadata(meta("shop", "legacy-db", minutesAgo(6000)))
                    .spec(new V1ServiceSpec().type("ClusterIP").clusterIP("10.96.0.41")
                            .addPortsItem(new V1ServicePort().port(5432).targetPort(new IntOrString(5432))));
        }

        /** What the endpointslice mirroring controller makes of a hand-written Endpoints object. */
        V1EndpointSlice mirrored(boolean... ready) {
            V1EndpointSlice es = new V1EndpointSlice().apiVersion("discovery.k8s.io/v1").kind("EndpointSlice").addressType("IPv4")
                    .metadata(meta("shop", "legacy-db-x7k2p", minutesAgo(600)));
            es.getMetadata().putLabelsItem("kubernetes.io/service-name", "legacy-db")
                    .putLabelsItem("endpointslice.kubernetes.io/managed-by", "endpointslicemirroring-controller.k8s.io");
            for (int i = 0; i < ready.length; i++) {
                es.addEndpointsItem(new V1Endpoint().addresses(List.of("192.168.10." + (20 + i)))
                        .conditions(new V1EndpointConditions().ready(ready[i])));
            }
            return es;
        }

        @Test
        void allHandManagedEndpointsNotReadyIsALowSeverityDefect() {
            V1Service s = external();
            Finding x = one(run(detector, s, mirrored(false, false)));
            assertEquals(IncidentTypes.MANUAL_ENDPOINTS_NOT_READY, x.incidentType());
            assertEquals(Severity.LOW, x.severity());
            hasFacts(x, "endpointSource", "EndpointSlice", "notReadyAddresses", "192.168.10.20,192.168.10.21",
                    "notReadyCount", "2", "reason", "EndpointsNotReady");
        }

        @Test
        void readsEndpointsWhenNoSliceNamesTheService() {
            V1Service s = external();
            V1Endpoints ep = new V1Endpoints().apiVersion("v1").kind("Endpoints").metadata(meta("shop", "legacy-db", minutesAgo(600)))
                    .addSubsetsItem(new V1EndpointSubset().addNotReadyAddressesItem(new V1EndpointAddress().ip("192.168.10.20"))
                            .addPortsItem(new CoreV1EndpointPort().port(5432)));
            hasFacts(one(run(detector, s, ep)), "endpointSource", "Endpoints", "notReadyAddresses", "192.168.10.20");
        }

        @Test
        void lookAlikeServiceIntentionallyWithoutBackendsIsNotReported() {
            V1Service s = external();
            none(run(detector, s));                                   // no endpoints at all: on purpose
            none(run(new ServiceNoEndpointsDetector(), s));
            V1EndpointSlice empty = mirrored();
            none(run(detector, s, empty));
            none(run(detector, s, mirrored(false, true)));            // one backend ready
            V1Service externalName = external();
            externalName.getSpec().type("ExternalName").externalName("db.example.com").clusterIP(null);
            none(run(detector, externalName, mirrored(false)));
            V1Service selected = external();
            selected.getSpec().selector(labels("app", "legacy-db"));   // the service-no-endpoints detector's
            none(run(detector, selected, mirrored(false)));
        }
    }

    // ------------------------------------------------------------------ deliberate states, whole catalogue

    @Nested
    class DeliberateStatesStayQuiet {

        List<Finding> all(KubernetesObject o, KubernetesObject... others) {
            List<Detector> detectors = new ArrayList<>();
            for (DetectorProvider p : ServiceLoader.load(DetectorProvider.class)) {
                detectors.add(p.create(DetectorSetTest.providerContext(ConfigView.empty())));
            }
            List<String> errors = new ArrayList<>();
            DetectorSet set = new DetectorSet(detectors, (d, x, e) -> errors.add(d.id() + ": " + e));
            List<KubernetesObject> objects = new ArrayList<>(List.of(o));
            objects.addAll(List.of(others));
            List<Finding> found = set.detect(o, context(objects));
            assertEquals(List.of(), errors);
            return found;
        }

        @Test
        void schedulingGatedPod() {
            none(all(gated(healthy())));
        }

        @Test
        void suspendedJob() {
            V1Job job = new V1Job().apiVersion("batch/v1").kind("Job").metadata(meta("batch", "nightly-export", minutesAgo(600)))
                    .spec(new V1JobSpec().suspend(true).backoffLimit(6).template(new V1PodTemplateSpec().spec(podSpec("export:1").restartPolicy("Never"))))
                    .status(new V1JobStatus().addConditionsItem(new V1JobCondition().type("Suspended").status("True")
                            .reason("JobSuspended").message("Job suspended").lastTransitionTime(minutesAgo(600))));
            none(all(job));
        }

        @Test
        void jobWithinItsBackoffLimitAndItsFailedPod() {
            V1Job job = new V1Job().apiVersion("batch/v1").kind("Job").metadata(meta("batch", "report", minutesAgo(20)))
                    .spec(new V1JobSpec().backoffLimit(6).template(new V1PodTemplateSpec().spec(podSpec("report:2").restartPolicy("Never"))))
                    .status(new V1JobStatus().failed(2).active(1).startTime(minutesAgo(20)));
            V1Pod failed = pod("batch", "report-abcde", "report:2", "node-a");
            failed.getSpec().restartPolicy("Never");
            failed.getMetadata().addOwnerReferencesItem(ownerRef(job, "Job", "batch/v1"));
            failed.getStatus().phase("Failed");
            container(failed).ready(false).state(new V1ContainerState().terminated(new V1ContainerStateTerminated()
                    .exitCode(1).reason("Error").finishedAt(minutesAgo(5))));
            none(all(job, failed));
            none(all(failed, job));
        }

        @Test
        void deploymentScaledToZeroWithItsAutoscaler() {
            V1Deployment zero = deployment("shop", "web", 0, "web:1");
            zero.getStatus().replicas(null).readyReplicas(null).availableReplicas(null).updatedReplicas(null);
            V2HorizontalPodAutoscaler h = hpa("web");
            h.getStatus().currentReplicas(0).desiredReplicas(0);
            setHpaCond(h, hpaCond("ScalingActive", "False", "ScalingDisabled",
                    "scaling is disabled since the replica count of the target is zero", 300));
            none(all(zero, h));
            none(all(h, zero));
        }

        @Test
        void serviceIntentionallyWithoutBackends() {
            V1Service s = new V1Service().apiVersion("v1").kind("Service").metadata(meta("shop", "placeholder", minutesAgo(6000)))
                    .spec(new V1ServiceSpec().type("ClusterIP").clusterIP("10.96.0.42").addPortsItem(new V1ServicePort().port(80)));
            none(all(s));
        }
    }
}

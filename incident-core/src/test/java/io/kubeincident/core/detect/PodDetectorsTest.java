package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.openapi.models.*;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.kubeincident.core.fixtures.Fixtures.*;
import static io.kubeincident.core.fixtures.Assertions2.*;
import static org.junit.jupiter.api.Assertions.*;

class PodDetectorsTest {

    final V1Deployment web = deployment("shop", "web", 3, "registry.example.com/shop/web:1.4.2");
    final V1ReplicaSet rs = replicaSet(web, "7d9c5b8f4", 2, "registry.example.com/shop/web:1.4.2", 3, minutesAgo(90));

    V1Pod healthy() {
        return pod(rs, "x2k9q", "node-a");
    }

    static List<Finding> run(Detector d, V1Pod pod, Object... others) {
        List<io.kubernetes.client.common.KubernetesObject> all = new java.util.ArrayList<>();
        all.add(pod);
        for (Object o : others) all.add((io.kubernetes.client.common.KubernetesObject) o);
        return d.detect(pod, context(all));
    }

    @Nested
    class CrashLoop {
        final CrashLoopDetector detector = new CrashLoopDetector();

        @Test
        void reportsBackOffWithExitCodeReasonAndOwner() {
            V1Pod pod = crashLooping(healthy(), 7, 1, "Error");
            container(pod).getLastState().getTerminated().message("panic: could not connect to db");
            List<Finding> f = run(detector, pod);
            assertEquals(1, f.size());
            Finding finding = f.get(0);
            assertEquals(IncidentTypes.CRASH_LOOP, finding.incidentType());
            assertEquals(Severity.HIGH, finding.severity());
            assertEquals("Pod/shop/web-7d9c5b8f4-x2k9q", finding.resource().key());
            hasFacts(finding, "container", "app", "reason", "CrashLoopBackOff", "waitingReason", "CrashLoopBackOff", "terminatedReason", "Error", "exitCode", "1", "restartCount", "7", "image", "registry.example.com/shop/web:1.4.2", "memoryLimit", "256Mi", "nodeName", "node-a", "ownerKind", "ReplicaSet", "ownerName", "web-7d9c5b8f4", "message", "panic: could not connect to db");
            contains(finding.message(), "7 restarts", "exit code 1");
            assertEquals(secondsAgo(20).toInstant(), finding.observedAt());
        }

        @Test
        void reportsInitContainerLoops() {
            V1Pod pod = healthy();
            pod.getStatus().phase("Pending").addInitContainerStatusesItem(new V1ContainerStatus().name("migrate")
                    .image("migrate:1").imageID("").ready(false).restartCount(4)
                    .state(new V1ContainerState().waiting(new V1ContainerStateWaiting().reason("CrashLoopBackOff")))
                    .lastState(new V1ContainerState().terminated(new V1ContainerStateTerminated().exitCode(2).reason("Error"))));
            List<Finding> f = run(detector, pod);
            { Finding x = one(f); hasFacts(x, "container", "migrate", "initContainer", "true", "exitCode", "2"); }
        }

        @Test
        void countsARestartedContainerBetweenBackOffs() {
            V1Pod pod = crashLooping(healthy(), 5, 1, "Error");
            container(pod).state(new V1ContainerState().running(new V1ContainerStateRunning().startedAt(secondsAgo(5))));
            assertEquals(1, run(detector, pod).size());
        }

        @Test
        void healthyPodIsNotReported() {
            none(run(detector, healthy()));
        }

        @Test
        void fewRestartsAreNotALoopYetWhenTheThresholdIsRaised() {
            DetectionConfig c = DetectionConfig.from(io.kubeincident.api.ConfigView.of(
                    java.util.Map.of("detection.crash_loop_min_restarts", "3")));
            V1Pod pod = crashLooping(healthy(), 2, 1, "Error");
            none(new CrashLoopDetector(c).detect(pod, context(pod)));
            assertEquals(1, run(detector, crashLooping(healthy(), 1, 1, "Error")).size(), "default: the first back-off counts");
        }

        @Test
        void oneCrashThenRunningAgainIsNotALoop() {
            V1Pod pod = crashLooping(healthy(), 1, 1, "Error");
            container(pod).state(new V1ContainerState().running(new V1ContainerStateRunning().startedAt(secondsAgo(5))));
            none(run(detector, pod));
        }

        @Test
        void containerThatRecoveredLongAgoIsNotReported() {
            V1Pod pod = crashLooping(healthy(), 9, 1, "Error");
            container(pod).ready(true).state(new V1ContainerState().running(new V1ContainerStateRunning().startedAt(minutesAgo(45))));
            none(run(detector, pod));
        }

        @Test
        void oomKillsAreLeftToTheOomDetector() {
            none(run(detector, oomKilled(healthy(), 6)));
        }

        @Test
        void terminatingPodIsNotReported() {
            V1Pod pod = crashLooping(healthy(), 7, 1, "Error");
            pod.getMetadata().deletionTimestamp(secondsAgo(1));
            none(run(detector, pod));
        }

        @Test
        void thresholdIsConfigurable() {
            DetectionConfig c = DetectionConfig.from(io.kubeincident.api.ConfigView.of(
                    java.util.Map.of("detection.crash_loop_min_restarts", "10")));
            none(new CrashLoopDetector(c).detect(crashLooping(healthy(), 7, 1, "Error"), context()));
        }

        @Test
        void ignoresOtherKinds() {
            none(detector.detect(web, context(web)));
        }
    }

    @Nested
    class OomKilled {
        final OomKilledDetector detector = new OomKilledDetector();

        @Test
        void reportsOomKillWithMemoryLimit() {
            List<Finding> f = run(detector, oomKilled(healthy(), 4));
            { Finding x = one(f);
                assertEquals(IncidentTypes.OOM_KILLED, x.incidentType());
                hasFacts(x, "terminatedReason", "OOMKilled", "exitCode", "137", "memoryLimit", "256Mi", "memoryRequest", "128Mi", "restartCount", "4", "container", "app");
                contains(x.message(), "OOM-killed", "256Mi");
            }
        }

        @Test
        void exit137UnderALimitWithoutLivenessFailureCounts() {
            V1Pod pod = crashLooping(healthy(), 3, 137, "Error");
            assertEquals(1, run(detector, pod).size());
            none(run(new CrashLoopDetector(), pod));
        }

        @Test
        void exit137FromAFailingLivenessProbeIsACrashLoopNotOom() {
            V1Pod pod = crashLooping(healthy(), 3, 137, "Error");
            CoreV1Event liveness = event(pod, "Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500",
                    9, minutesAgo(10), secondsAgo(30));
            none(run(detector, pod, liveness));
            assertEquals(1, run(new CrashLoopDetector(), pod, liveness).size());
        }

        @Test
        void restartPolicyNeverPodTerminatedByOom() {
            V1Pod pod = healthy();
            pod.getStatus().phase("Failed");
            container(pod).ready(false).state(new V1ContainerState().terminated(new V1ContainerStateTerminated()
                    .exitCode(137).reason("OOMKilled").finishedAt(minutesAgo(2))));
            assertEquals(1, run(detector, pod).size());
        }

        @Test
        void oldOomKillIsHistory() {
            V1Pod pod = oomKilled(healthy(), 1);
            container(pod).getLastState().getTerminated().finishedAt(minutesAgo(180));
            none(run(detector, pod));
        }

        @Test
        void containerRunningHealthilySinceTheKillIsNotReported() {
            V1Pod pod = oomKilled(healthy(), 1);
            container(pod).getLastState().getTerminated().finishedAt(minutesAgo(40));
            container(pod).ready(true).state(new V1ContainerState().running(new V1ContainerStateRunning().startedAt(minutesAgo(40))));
            none(run(detector, pod));
        }

        @Test
        void healthyPodIsNotReported() {
            none(run(detector, healthy()));
        }
    }

    @Nested
    class ImagePull {
        final ImagePullDetector detector = new ImagePullDetector();

        @Test
        void reportsBackOffWithRegistryMessage() {
            String msg = "Back-off pulling image \"registry.example.com/shop/web:1.5.0\": ErrImagePull: rpc error: code = NotFound "
                    + "desc = failed to pull and unpack image: not found";
            V1Pod pod = waiting(healthy(), "ImagePullBackOff", msg, minutesAgo(3));
            pod.getSpec().getContainers().get(0).image("registry.example.com/shop/web:1.5.0");
            List<Finding> f = run(detector, pod);
            { Finding x = one(f);
                assertEquals(IncidentTypes.IMAGE_PULL, x.incidentType());
                hasFacts(x, "waitingReason", "ImagePullBackOff", "reason", "ImagePullBackOff", "image", "registry.example.com/shop/web:1.5.0", "registry", "registry.example.com", "message", msg);
            }
        }

        @Test
        void invalidImageNameCountsAtOnce() {
            V1Pod pod = waiting(healthy(), "InvalidImageName", "couldn't parse image reference \"web:\"", secondsAgo(1));
            assertEquals(1, run(detector, pod).size());
        }

        @Test
        void freshPullErrorIsGivenTheGracePeriod() {
            V1Pod pod = waiting(healthy(), "ErrImagePull", "i/o timeout", secondsAgo(5));
            none(run(detector, pod));
        }

        @Test
        void podStillPullingIsNotReported() {
            V1Pod pod = waiting(healthy(), "ContainerCreating", null, minutesAgo(3));
            none(run(detector, pod));
            none(run(detector, healthy()));
        }

        @Test
        void registryOfImageReferences() {
            assertEquals("docker.io", ImagePullDetector.registryOf("nginx:1.27"));
            assertEquals("docker.io", ImagePullDetector.registryOf("bitnami/redis:7"));
            assertEquals("ghcr.io", ImagePullDetector.registryOf("ghcr.io/org/app@sha256:abc"));
            assertEquals("localhost:5000", ImagePullDetector.registryOf("localhost:5000/app"));
            assertNull(ImagePullDetector.registryOf(null));
        }
    }

    @Nested
    class ContainerConfigError {
        final ContainerConfigErrorDetector detector = new ContainerConfigErrorDetector();

        @Test
        void namesMissingConfigMap() {
            V1Pod pod = waiting(healthy(), "CreateContainerConfigError", "configmap \"web-config\" not found", minutesAgo(2));
            { Finding x = one(run(detector, pod));
                assertEquals(IncidentTypes.CONTAINER_CONFIG_ERROR, x.incidentType());
                hasFacts(x, "missingConfigMap", "web-config", "waitingReason", "CreateContainerConfigError");
                contains(x.message(), "missing ConfigMap web-config");
            }
        }

        @Test
        void namesMissingSecret() {
            V1Pod pod = waiting(healthy(), "CreateContainerConfigError", "secret \"db-credentials\" not found", minutesAgo(2));
            { Finding x = one(run(detector, pod)); hasFacts(x, "missingSecret", "db-credentials"); }
        }

        @Test
        void namesMissingKey() {
            V1Pod pod = waiting(healthy(), "CreateContainerConfigError",
                    "couldn't find key DATABASE_URL in ConfigMap shop/web-config", minutesAgo(2));
            { Finding x = one(run(detector, pod)); hasFacts(x, "missingKey", "DATABASE_URL", "configMap", "web-config"); }
            V1Pod pod2 = waiting(healthy(), "CreateContainerConfigError",
                    "couldn't find key password in Secret shop/db", minutesAgo(2));
            { Finding x = one(run(detector, pod2)); hasFacts(x, "missingKey", "password", "secret", "db"); }
        }

        @Test
        void createContainerErrorWithoutNames() {
            V1Pod pod = waiting(healthy(), "CreateContainerError",
                    "failed to generate container spec: failed to apply OCI options: no such file", minutesAgo(2));
            { Finding x = one(run(detector, pod)); hasFacts(x, "reason", "CreateContainerError"); lacksFacts(x, "missingConfigMap", "missingSecret"); }
        }

        @Test
        void missingVolumeSourceFromFailedMountEvent() {
            V1Pod pod = waiting(healthy(), "ContainerCreating", null, minutesAgo(4));
            CoreV1Event mount = event(pod, "Warning", "FailedMount",
                    "MountVolume.SetUp failed for volume \"config\" : configmap \"web-config\" not found", 5,
                    minutesAgo(4), secondsAgo(40));
            { Finding x = one(run(detector, pod, mount)); hasFacts(x, "reason", "FailedMount", "missingConfigMap", "web-config"); }
        }

        @Test
        void containerCreatingWithoutMountFailureIsNotReported() {
            V1Pod pod = waiting(healthy(), "ContainerCreating", null, minutesAgo(4));
            CoreV1Event pulled = event(pod, "Normal", "Pulling", "Pulling image \"web\"", 1, minutesAgo(4), minutesAgo(4));
            none(run(detector, pod, pulled));
            none(run(detector, healthy()));
        }

        @Test
        void freshErrorGetsTheGracePeriod() {
            V1Pod pod = waiting(healthy(), "CreateContainerConfigError", "configmap \"web-config\" not found", secondsAgo(3));
            none(run(detector, pod));
        }
    }

    @Nested
    class Unschedulable {
        final UnschedulableDetector detector = new UnschedulableDetector();
        final String msg = "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
                + "2 Insufficient cpu, 2 Insufficient memory. preemption: 0/3 nodes are available.";

        @Test
        void reportsPendingPastThresholdWithSchedulerMessage() {
            V1Pod pod = unschedulable(healthy(), msg, minutesAgo(12));
            { Finding x = one(run(detector, pod));
                assertEquals(IncidentTypes.UNSCHEDULABLE, x.incidentType());
                hasFacts(x, "message", msg, "insufficientResources", "cpu,memory", "pendingMinutes", "12"); lacksFacts(x, "nodeName");
            }
        }

        @Test
        void recentlyPendingIsNotReported() {
            none(run(detector, unschedulable(healthy(), msg, minutesAgo(2))));
        }

        @Test
        void thresholdIsConfigurable() {
            DetectionConfig c = DetectionConfig.from(io.kubeincident.api.ConfigView.of(
                    java.util.Map.of("detection.pending_threshold", "1m")));
            V1Pod pod = unschedulable(healthy(), msg, minutesAgo(2));
            assertEquals(1, new UnschedulableDetector(c).detect(pod, context(pod)).size());
        }

        @Test
        void scheduledPendingPodIsNotReported() {
            V1Pod pod = waiting(healthy(), "ContainerCreating", null, minutesAgo(20));
            none(run(detector, pod));
            none(run(detector, healthy()));
        }
    }

    @Nested
    class ReadinessFailing {
        final ReadinessFailingDetector detector = new ReadinessFailingDetector();

        V1Pod runningNotReady(long minutes) {
            V1Pod pod = healthy();
            notReady(pod, minutesAgo(minutes));
            return pod;
        }

        @Test
        void reportsWithLatestProbeFailure() {
            V1Pod pod = runningNotReady(8);
            CoreV1Event probe = event(pod, "Warning", "Unhealthy",
                    "Readiness probe failed: HTTP probe failed with statuscode: 503", 48, minutesAgo(8), secondsAgo(10));
            { Finding x = one(run(detector, pod, probe));
                assertEquals(IncidentTypes.READINESS_FAILING, x.incidentType());
                hasFacts(x, "reason", "ReadinessProbeFailed", "probeFailures", "48", "message", "Readiness probe failed: HTTP probe failed with statuscode: 503", "container", "app");
            }
        }

        @Test
        void briefUnreadinessIsNotReported() {
            none(run(detector, runningNotReady(1)));
        }

        @Test
        void readinessGatesAloneAreNotProbeFailures() {
            V1Pod pod = healthy();
            setCondition(pod, "Ready", "False", "ReadinessGatesNotReady", "corresponding condition of pod readiness gate is not true", minutesAgo(30));
            none(run(detector, pod));
        }

        @Test
        void crashLoopingPodIsLeftToTheCrashLoopDetector() {
            none(run(detector, crashLooping(healthy(), 8, 1, "Error")));
            none(run(detector, healthy()));
        }
    }

    @Nested
    class StuckTerminating {
        final StuckTerminatingDetector detector = new StuckTerminatingDetector();

        @Test
        void reportsPodPastItsDeletionDeadline() {
            V1Pod pod = healthy();
            pod.getMetadata().deletionTimestamp(minutesAgo(25)).deletionGracePeriodSeconds(30L)
                    .finalizers(List.of("example.com/cleanup"));
            { Finding x = one(run(detector, pod));
                assertEquals(IncidentTypes.STUCK_TERMINATING, x.incidentType());
                hasFacts(x, "finalizers", "example.com/cleanup", "nodeName", "node-a", "minutesPastDeadline", "25");
            }
        }

        @Test
        void podWithinItsGracePeriodIsNotReported() {
            V1Pod pod = healthy();
            pod.getMetadata().deletionTimestamp(OffsetDateTimeAfter(Duration.ofSeconds(20))).deletionGracePeriodSeconds(30L);
            none(run(detector, pod));
            none(run(detector, healthy()));
        }

        private java.time.OffsetDateTime OffsetDateTimeAfter(Duration d) {
            return NOW.plus(d).atOffset(java.time.ZoneOffset.UTC);
        }
    }

    @Nested
    class Evicted {
        final EvictedDetector detector = new EvictedDetector();

        V1Pod evicted(long minutes) {
            V1Pod pod = healthy();
            pod.getStatus().phase("Failed").reason("Evicted")
                    .message("The node was low on resource: memory. Threshold quantity: 100Mi, available: 41Mi. "
                            + "Container app was using 1200Mi, request is 128Mi, has larger consumption of memory.");
            setCondition(pod, "DisruptionTarget", "True", "TerminationByKubelet", "memory pressure", minutesAgo(minutes));
            container(pod).ready(false).state(new V1ContainerState().terminated(new V1ContainerStateTerminated()
                    .exitCode(137).reason("ContainerStatusUnknown").finishedAt(minutesAgo(minutes))));
            return pod;
        }

        @Test
        void reportsRecentEvictionWithResource() {
            { Finding x = one(run(detector, evicted(5)));
                assertEquals(IncidentTypes.EVICTED, x.incidentType());
                hasFacts(x, "evictionResource", "memory", "nodeName", "node-a", "reason", "Evicted");
            }
        }

        @Test
        void oldEvictionIsHistory() {
            none(run(detector, evicted(300)));
        }

        @Test
        void otherFailedPodsAreNotEvictions() {
            V1Pod pod = healthy();
            pod.getStatus().phase("Failed").reason(null);
            none(run(detector, pod));
            none(run(detector, healthy()));
        }
    }
}

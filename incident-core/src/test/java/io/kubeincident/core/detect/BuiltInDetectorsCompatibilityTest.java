package io.kubeincident.core.detect;

import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.testkit.kit.DetectorCompatibilityKit;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.*;
import org.junit.jupiter.api.Nested;

import java.util.List;

import static io.kubeincident.core.fixtures.Fixtures.*;

/** Every built-in detector passes the testkit's compatibility kit, as a third-party detector would. */
class BuiltInDetectorsCompatibilityTest {

    static final V1Deployment WEB = deployment("shop", "web", 3, "web:1");
    static final V1ReplicaSet RS = replicaSet(WEB, "7d4b9c", 1, "web:1", 3, minutesAgo(60));

    static V1Pod healthyPod() {
        return pod(RS, "ok1", "node-a");
    }

    @Nested
    class CrashLoop extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new CrashLoopDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return CrashLoopDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(healthyPod());
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(crashLooping(pod(RS, "bad", "node-a"), 5, 1, "Error"));
        }
    }

    @Nested
    class OomKilled extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new OomKilledDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return OomKilledDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(healthyPod(), crashLooping(pod(RS, "err", "node-a"), 5, 1, "Error"));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(oomKilled(pod(RS, "oom", "node-a"), 3));
        }
    }

    @Nested
    class ImagePull extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new ImagePullDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return ImagePullDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(healthyPod(), waiting(pod(RS, "creating", "node-a"), "ContainerCreating", null, minutesAgo(3)));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(waiting(pod(RS, "pull", "node-a"), "ImagePullBackOff", "Back-off pulling image \"web:9\"", minutesAgo(3)));
        }
    }

    @Nested
    class ContainerConfigError extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new ContainerConfigErrorDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return ContainerConfigErrorDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(healthyPod());
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(waiting(pod(RS, "cfg", "node-a"), "CreateContainerConfigError", "secret \"db\" not found", minutesAgo(3)));
        }
    }

    @Nested
    class Unschedulable extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new UnschedulableDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return UnschedulableDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(healthyPod(), unschedulable(pod(RS, "fresh", null), "0/3 nodes are available", minutesAgo(1)));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(unschedulable(pod(RS, "stuck", null), "0/3 nodes are available: 3 Insufficient cpu.", minutesAgo(20)));
        }
    }

    @Nested
    class ReadinessFailing extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new ReadinessFailingDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return ReadinessFailingDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(healthyPod());
        }

        protected List<KubernetesObject> unhealthyObjects() {
            V1Pod p = pod(RS, "unready", "node-a");
            notReady(p, minutesAgo(15));
            return List.of(p);
        }
    }

    @Nested
    class StuckTerminating extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new StuckTerminatingDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return StuckTerminatingDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(healthyPod());
        }

        protected List<KubernetesObject> unhealthyObjects() {
            V1Pod p = pod(RS, "stuck", "node-a");
            p.getMetadata().deletionTimestamp(minutesAgo(30)).deletionGracePeriodSeconds(30L);
            return List.of(p);
        }
    }

    @Nested
    class Evicted extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new EvictedDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return EvictedDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(healthyPod());
        }

        protected List<KubernetesObject> unhealthyObjects() {
            V1Pod p = pod(RS, "evicted", "node-a");
            p.getStatus().phase("Failed").reason("Evicted").message("The node was low on resource: ephemeral-storage.");
            setCondition(p, "DisruptionTarget", "True", "TerminationByKubelet", "", minutesAgo(4));
            return List.of(p);
        }
    }

    @Nested
    class RolloutStuck extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new RolloutStuckDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return RolloutStuckDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(deployment("shop", "ok", 2, "ok:1"));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            V1Deployment d = deployment("shop", "stuck", 2, "stuck:2");
            d.getStatus().getConditions().forEach(c -> {
                if (c.getType().equals("Progressing")) c.status("False").reason("ProgressDeadlineExceeded");
            });
            return List.of(d);
        }
    }

    @Nested
    class ReplicaFailure extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new ReplicaFailureDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return ReplicaFailureDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(replicaSet(WEB, "aa1", 2, "web:2", 3, minutesAgo(5)));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            V1ReplicaSet rs = replicaSet(WEB, "bb2", 3, "web:3", 3, minutesAgo(5));
            rs.getStatus().replicas(0).addConditionsItem(new V1ReplicaSetCondition().type("ReplicaFailure").status("True")
                    .reason("FailedCreate").message("pods \"web-bb2-x\" is forbidden: exceeded quota: compute"));
            return List.of(rs);
        }
    }

    static V1StatefulSetSpec stsSpec(int replicas) {
        return new V1StatefulSetSpec().replicas(replicas).serviceName("db")
                .selector(new V1LabelSelector().matchLabels(labels("app", "db")))
                .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(labels("app", "db"))).spec(podSpec("db:1")));
    }

    @Nested
    class WorkloadUnavailable extends DetectorCompatibilityKit {
        final V1StatefulSet sts = new V1StatefulSet().apiVersion("apps/v1").kind("StatefulSet")
                .metadata(meta("data", "db", minutesAgo(6000)))
                .spec(stsSpec(1))
                .status(new V1StatefulSetStatus().replicas(1).readyReplicas(0));
        final V1Pod stsPod = pod("data", "db-0", "db:1", "node-a");

        {
            stsPod.getMetadata().addOwnerReferencesItem(ownerRef(sts, "StatefulSet", "apps/v1"));
            notReady(stsPod, minutesAgo(30));
        }

        protected Detector detector() {
            return new WorkloadUnavailableDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return WorkloadUnavailableDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(new V1StatefulSet().apiVersion("apps/v1").kind("StatefulSet").metadata(meta("data", "ok", minutesAgo(600)))
                    .spec(stsSpec(2)).status(new V1StatefulSetStatus().replicas(2).readyReplicas(2)));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(sts);
        }

        protected List<KubernetesObject> contextObjects() {
            return List.of(stsPod);
        }
    }

    @Nested
    class JobFailed extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new JobFailedDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return JobFailedDetectorProvider.class;
        }

        static V1Job job(String type) {
            return new V1Job().apiVersion("batch/v1").kind("Job").metadata(meta("batch", "j-" + type.toLowerCase(), minutesAgo(20)))
                    .status(new V1JobStatus().addConditionsItem(new V1JobCondition().type(type).status("True")
                            .reason(type.equals("Failed") ? "BackoffLimitExceeded" : null).lastTransitionTime(minutesAgo(5))));
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(job("Complete"));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(job("Failed"));
        }
    }

    @Nested
    class NodeNotReady extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new NodeNotReadyDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return NodeNotReadyDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(node("node-ok"));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            V1Node n = node("node-down");
            setNodeCondition(n, "Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", minutesAgo(5));
            return List.of(n);
        }
    }

    @Nested
    class NodePressure extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new NodePressureDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return NodePressureDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(node("node-ok"));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            V1Node n = node("node-full");
            setNodeCondition(n, "DiskPressure", "True", "KubeletHasDiskPressure", "kubelet has disk pressure", minutesAgo(5));
            return List.of(n);
        }
    }

    @Nested
    class ServiceNoEndpoints extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new ServiceNoEndpointsDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return ServiceNoEndpointsDetectorProvider.class;
        }

        static V1Service svc(String name, String app) {
            return new V1Service().apiVersion("v1").kind("Service").metadata(meta("shop", name, minutesAgo(600)))
                    .spec(new V1ServiceSpec().type("ClusterIP").selector(labels("app", app)));
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(svc("external", "x").spec(new V1ServiceSpec().type("ExternalName").externalName("db.example.com")));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(svc("orphan", "nothing-matches"));
        }
    }

    @Nested
    class PvcPending extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new PvcPendingDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return PvcPendingDetectorProvider.class;
        }

        static V1PersistentVolumeClaim pvc(String name, String phase, long minutes) {
            return new V1PersistentVolumeClaim().apiVersion("v1").kind("PersistentVolumeClaim")
                    .metadata(meta("data", name, minutesAgo(minutes))).spec(new V1PersistentVolumeClaimSpec().storageClassName("fast"))
                    .status(new V1PersistentVolumeClaimStatus().phase(phase));
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(pvc("bound", "Bound", 600), pvc("new", "Pending", 1));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(pvc("stuck", "Pending", 60));
        }
    }

    @Nested
    class HpaMaxed extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new HpaMaxedDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return HpaMaxedDetectorProvider.class;
        }

        static V2HorizontalPodAutoscaler hpa(String name, int current, String limited) {
            return new V2HorizontalPodAutoscaler().apiVersion("autoscaling/v2").kind("HorizontalPodAutoscaler")
                    .metadata(meta("shop", name, minutesAgo(600)))
                    .spec(new V2HorizontalPodAutoscalerSpec().maxReplicas(4).minReplicas(1)
                            .scaleTargetRef(new V2CrossVersionObjectReference().kind("Deployment").name("web").apiVersion("apps/v1")))
                    .status(new V2HorizontalPodAutoscalerStatus().currentReplicas(current).desiredReplicas(current)
                            .addConditionsItem(new V2HorizontalPodAutoscalerCondition().type("ScalingLimited").status(limited)
                                    .reason(limited.equals("True") ? "TooManyReplicas" : "DesiredWithinRange")
                                    .lastTransitionTime(minutesAgo(30))));
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(hpa("calm", 2, "False"));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(hpa("maxed", 4, "True"));
        }
    }

    // ---- the detectors added for breadth and precision

    static V1Pod sandboxPending(String suffix) {
        return waiting(pod(RS, suffix, "node-a"), "ContainerCreating", null, minutesAgo(20));
    }

    @Nested
    class PodSandboxFailed extends DetectorCompatibilityKit {
        final V1Pod failing = sandboxPending("sbx");

        protected Detector detector() {
            return new PodSandboxFailedDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return PodSandboxFailedDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(healthyPod(), sandboxPending("pulling"));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(failing);
        }

        protected List<KubernetesObject> contextObjects() {
            return List.of(event(failing, "Warning", "FailedCreatePodSandBox",
                    "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: "
                            + "plugin type=\"cilium-cni\" failed (add): unable to connect to Cilium daemon", 30, minutesAgo(15), secondsAgo(20)));
        }
    }

    static V1PersistentVolumeClaim claim(String name, String phase) {
        return new V1PersistentVolumeClaim().apiVersion("v1").kind("PersistentVolumeClaim").metadata(meta("data", name, minutesAgo(600)))
                .spec(new V1PersistentVolumeClaimSpec().storageClassName("gp3").volumeName("pvc-" + name))
                .status(new V1PersistentVolumeClaimStatus().phase(phase));
    }

    @Nested
    class PvcLost extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new PvcLostDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return PvcLostDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(claim("bound", "Bound"), claim("pending", "Pending"));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(claim("lost", "Lost"));
        }
    }

    @Nested
    class NodeProblem extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new NodeProblemDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return NodeProblemDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            V1Node n = node("node-ok");
            setNodeCondition(n, "KernelDeadlock", "False", "KernelHasNoDeadlock", "kernel has no deadlock", minutesAgo(600));
            return List.of(n);
        }

        protected List<KubernetesObject> unhealthyObjects() {
            V1Node n = node("node-ro");
            setNodeCondition(n, "ReadonlyFilesystem", "True", "FilesystemIsReadOnly", "Node filesystem is read-only", minutesAgo(10));
            return List.of(n);
        }
    }

    @Nested
    class HpaCannotAct extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new HpaCannotActDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return HpaCannotActDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(DetectionBreadthTest.hpa("web"));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            V2HorizontalPodAutoscaler h = DetectionBreadthTest.hpa("web");
            h.getMetadata().name("blind");
            DetectionBreadthTest.setHpaCond(h, DetectionBreadthTest.hpaCond("ScalingActive", "False", "FailedGetResourceMetric",
                    "unable to get metrics for resource cpu: no metrics returned from resource metrics API", 30));
            return List.of(h);
        }

        protected List<KubernetesObject> contextObjects() {
            return List.of(deployment("shop", "web", 3, "web:1"));
        }
    }

    @Nested
    class HpaTargetMissing extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new HpaTargetMissingDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return HpaTargetMissingDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(DetectionBreadthTest.hpa("web"));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            V2HorizontalPodAutoscaler h = DetectionBreadthTest.hpa("web-old");
            h.getMetadata().name("orphan");
            return List.of(h);
        }

        protected List<KubernetesObject> contextObjects() {
            return List.of(deployment("shop", "web", 3, "web:1"));
        }
    }

    @Nested
    class GracePeriodExceeded extends DetectorCompatibilityKit {
        final V1Pod killed = crashLooping(pod(RS, "slow", "node-a"), 2, 137, "Error");

        protected Detector detector() {
            return new GracePeriodExceededDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return GracePeriodExceededDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(healthyPod(), oomKilled(pod(RS, "oom", "node-a"), 2));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(killed);
        }

        protected List<KubernetesObject> contextObjects() {
            return List.of(event(killed, "Normal", "Killing", "Container app failed liveness probe, will be restarted", 2,
                    minutesAgo(5), secondsAgo(40)));
        }
    }

    static V1Pod runOnce(String name, String phase, String policy) {
        V1Pod p = pod("default", name, "tools:1", "node-a");
        p.getSpec().restartPolicy(policy);
        p.getStatus().phase(phase);
        container(p).ready(false).state(new V1ContainerState().terminated(new V1ContainerStateTerminated()
                .exitCode(phase.equals("Failed") ? 2 : 0).reason(phase.equals("Failed") ? "Error" : "Completed").finishedAt(minutesAgo(10))));
        return p;
    }

    @Nested
    class BarePodFailed extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new BarePodFailedDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return BarePodFailedDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(healthyPod(), runOnce("done", "Succeeded", "Never"));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(runOnce("broken", "Failed", "Never"));
        }
    }

    @Nested
    class StatefulSetServiceMissing extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new StatefulSetServiceMissingDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return StatefulSetServiceMissingDetectorProvider.class;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(new V1StatefulSet().apiVersion("apps/v1").kind("StatefulSet").metadata(meta("data", "db", minutesAgo(600)))
                    .spec(stsSpec(1)).status(new V1StatefulSetStatus().replicas(1).readyReplicas(1)));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(new V1StatefulSet().apiVersion("apps/v1").kind("StatefulSet").metadata(meta("data", "cache", minutesAgo(600)))
                    .spec(stsSpec(1).serviceName("cache-headless")).status(new V1StatefulSetStatus().replicas(1).readyReplicas(1)));
        }

        protected List<KubernetesObject> contextObjects() {
            return List.of(new V1Service().apiVersion("v1").kind("Service").metadata(meta("data", "db", minutesAgo(600)))
                    .spec(new V1ServiceSpec().clusterIP("None").selector(labels("app", "db"))));
        }
    }

    @Nested
    class ManualEndpointsNotReady extends DetectorCompatibilityKit {
        protected Detector detector() {
            return new ManualEndpointsNotReadyDetector();
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return ManualEndpointsNotReadyDetectorProvider.class;
        }

        static V1Service external(String name) {
            return new V1Service().apiVersion("v1").kind("Service").metadata(meta("shop", name, minutesAgo(600)))
                    .spec(new V1ServiceSpec().type("ClusterIP").clusterIP("10.96.0.50").addPortsItem(new V1ServicePort().port(5432)));
        }

        static V1EndpointSlice slice(String service, boolean ready) {
            V1EndpointSlice es = new V1EndpointSlice().apiVersion("discovery.k8s.io/v1").kind("EndpointSlice").addressType("IPv4")
                    .metadata(meta("shop", service + "-abc", minutesAgo(600)));
            es.getMetadata().putLabelsItem("kubernetes.io/service-name", service);
            es.addEndpointsItem(new V1Endpoint().addresses(List.of("192.168.10.9")).conditions(new V1EndpointConditions().ready(ready)));
            return es;
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(external("up"), external("placeholder"));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(external("down"));
        }

        protected List<KubernetesObject> contextObjects() {
            return List.of(slice("up", true), slice("down", false));
        }
    }
}

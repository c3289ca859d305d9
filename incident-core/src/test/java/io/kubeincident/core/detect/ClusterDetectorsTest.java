package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubernetes.client.openapi.models.*;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kubeincident.core.fixtures.Assertions2.*;
import static io.kubeincident.core.fixtures.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class ClusterDetectorsTest {

    @Nested
    class NodeNotReady {
        final NodeNotReadyDetector detector = new NodeNotReadyDetector();

        @Test
        void unknownReadyForMinutesWithConditionFacts() {
            V1Node n = node("node-a");
            setNodeCondition(n, "Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", minutesAgo(4));
            V1Pod p = pod("shop", "web-1", "web:1", "node-a");
            Finding x = one(detector.detect(n, context(n, p)));
            assertEquals(IncidentTypes.NODE_NOT_READY, x.incidentType());
            assertEquals(Severity.CRITICAL, x.severity());
            assertEquals("Node/node-a", x.resource().key());
            hasFacts(x, "condition.Ready", "Unknown", "condition.MemoryPressure", "False", "reason", "NodeStatusUnknown",
                    "message", "Kubelet stopped posting node status.", "podCount", "1", "nodeName", "node-a");
        }

        @Test
        void networkUnavailable() {
            V1Node n = node("node-a");
            setNodeCondition(n, "NetworkUnavailable", "True", "NoRouteCreated", "RouteController failed to create a route", minutesAgo(3));
            hasFacts(one(detector.detect(n, context(n))), "condition.NetworkUnavailable", "True", "reason", "NoRouteCreated");
        }

        @Test
        void cordonedNodeIsLowerSeverity() {
            V1Node n = node("node-a");
            n.getSpec().unschedulable(true);
            setNodeCondition(n, "Ready", "False", "KubeletNotReady", "container runtime is down", minutesAgo(4));
            Finding x = one(detector.detect(n, context(n)));
            assertEquals(Severity.MEDIUM, x.severity());
            hasFacts(x, "unschedulable", "true");
        }

        @Test
        void briefBlipHealthyAndAutoscalerRemovalAreNotReported() {
            V1Node blip = node("node-a");
            setNodeCondition(blip, "Ready", "False", "KubeletNotReady", "PLEG is not healthy", secondsAgo(20));
            none(detector.detect(blip, context(blip)));
            none(detector.detect(node("node-b"), context()));
            V1Node leaving = node("node-c");
            setNodeCondition(leaving, "Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", minutesAgo(10));
            leaving.getSpec().addTaintsItem(new V1Taint().key("ToBeDeletedByClusterAutoscaler").value("1717236000").effect("NoSchedule"));
            none(detector.detect(leaving, context(leaving)));
        }
    }

    @Nested
    class NodePressure {
        final NodePressureDetector detector = new NodePressureDetector();

        @Test
        void memoryAndDiskPressure() {
            V1Node n = node("node-a");
            setNodeCondition(n, "MemoryPressure", "True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available", minutesAgo(5));
            setNodeCondition(n, "DiskPressure", "True", "KubeletHasDiskPressure", "kubelet has disk pressure", minutesAgo(3));
            Finding x = one(detector.detect(n, context(n)));
            assertEquals(IncidentTypes.NODE_PRESSURE, x.incidentType());
            hasFacts(x, "pressure", "MemoryPressure,DiskPressure", "condition.MemoryPressure", "True",
                    "condition.DiskPressure", "True", "condition.Ready", "True", "reason", "KubeletHasInsufficientMemory");
        }

        @Test
        void pidPressure() {
            V1Node n = node("node-a");
            setNodeCondition(n, "PIDPressure", "True", "KubeletHasInsufficientPID", "kubelet has insufficient PID available", minutesAgo(5));
            hasFacts(one(detector.detect(n, context(n))), "pressure", "PIDPressure");
        }

        @Test
        void healthyOrFreshPressureIsNotReported() {
            none(detector.detect(node("node-a"), context()));
            V1Node n = node("node-b");
            setNodeCondition(n, "MemoryPressure", "True", "KubeletHasInsufficientMemory", "x", secondsAgo(10));
            none(detector.detect(n, context(n)));
        }
    }

    @Nested
    class ServiceNoEndpoints {
        final ServiceNoEndpointsDetector detector = new ServiceNoEndpointsDetector();

        V1Service svc() {
            return new V1Service().apiVersion("v1").kind("Service").metadata(meta("shop", "web", minutesAgo(6000)))
                    .spec(new V1ServiceSpec().type("ClusterIP").clusterIP("10.96.0.20").selector(labels("app", "web"))
                            .addPortsItem(new V1ServicePort().port(80).targetPort(new io.kubernetes.client.custom.IntOrString(8080))));
        }

        V1EndpointSlice slice(V1Service s, boolean ready, long changedMinutesAgo) {
            V1EndpointSlice es = new V1EndpointSlice().apiVersion("discovery.k8s.io/v1").kind("EndpointSlice").addressType("IPv4")
                    .metadata(meta("shop", "web-abc12", minutesAgo(6000)));
            es.getMetadata().putLabelsItem("kubernetes.io/service-name", "web")
                    .putAnnotationsItem("endpoints.kubernetes.io/last-change-trigger-time", minutesAgo(changedMinutesAgo).toString())
                    .addOwnerReferencesItem(ownerRef(s, "Service", "v1"));
            es.addEndpointsItem(new V1Endpoint().addresses(List.of("10.244.1.7"))
                    .conditions(new V1EndpointConditions().ready(ready).serving(ready).terminating(false)));
            return es;
        }

        V1Pod webPod(boolean ready) {
            V1Pod p = pod("shop", "web-1", "web:1", "node-a");
            p.getMetadata().putLabelsItem("app", "web");
            if (!ready) notReady(p, minutesAgo(9));
            return p;
        }

        @Test
        void noReadyEndpointsForLong() {
            V1Service s = svc();
            Finding x = one(detector.detect(s, context(s, slice(s, false, 9), webPod(false))));
            assertEquals(IncidentTypes.SERVICE_NO_ENDPOINTS, x.incidentType());
            hasFacts(x, "reason", "NoReadyPods", "selector", "app=web", "selectedPods", "1", "readySelectedPods", "0",
                    "endpointSource", "EndpointSlice", "noEndpointsMinutes", "9");
        }

        @Test
        void selectorMatchingNothing() {
            V1Service s = svc();
            s.getSpec().selector(labels("app", "web-v2"));
            V1EndpointSlice empty = slice(s, true, 30);
            empty.endpoints(null);
            Finding x = one(detector.detect(s, context(s, empty, webPod(true))));
            hasFacts(x, "reason", "NoMatchingPods", "selectedPods", "0");
        }

        @Test
        void readyEndpointOrFreshChangeIsNotReported() {
            V1Service s = svc();
            none(detector.detect(s, context(s, slice(s, true, 9), webPod(true))));
            none(detector.detect(s, context(s, slice(s, false, 1), webPod(false))));
        }

        @Test
        void servicesWithoutSelectorOrExternalNameAreNotReported() {
            V1Service manual = svc();
            manual.getSpec().selector(null);
            none(detector.detect(manual, context(manual)));
            V1Service ext = svc();
            ext.getSpec().type("ExternalName").externalName("db.example.com");
            none(detector.detect(ext, context(ext)));
        }
    }

    @Nested
    class PvcPending {
        final PvcPendingDetector detector = new PvcPendingDetector();

        V1PersistentVolumeClaim pvc(long minutes) {
            return new V1PersistentVolumeClaim().apiVersion("v1").kind("PersistentVolumeClaim")
                    .metadata(meta("data", "pgdata-postgres-0", minutesAgo(minutes)))
                    .spec(new V1PersistentVolumeClaimSpec().storageClassName("fast-ssd").accessModes(List.of("ReadWriteOnce")))
                    .status(new V1PersistentVolumeClaimStatus().phase("Pending"));
        }

        @Test
        void provisioningFailed() {
            V1PersistentVolumeClaim c = pvc(20);
            CoreV1Event e = event(c, "Warning", "ProvisioningFailed",
                    "storageclass.storage.k8s.io \"fast-ssd\" not found", 40, minutesAgo(20), secondsAgo(15));
            Finding x = one(detector.detect(c, context(c, e)));
            assertEquals(IncidentTypes.PVC_PENDING, x.incidentType());
            hasFacts(x, "reason", "ProvisioningFailed", "storageClass", "fast-ssd", "pendingMinutes", "20");
            contains(x.fact("message"), "fast-ssd");
        }

        @Test
        void waitForFirstConsumerIsByDesign() {
            V1PersistentVolumeClaim c = pvc(60);
            CoreV1Event e = event(c, "Normal", "WaitForFirstConsumer",
                    "waiting for first consumer to be created before binding", 200, minutesAgo(60), secondsAgo(15));
            none(detector.detect(c, context(c, e)));
        }

        @Test
        void boundOrFreshClaimIsNotReported() {
            V1PersistentVolumeClaim bound = pvc(60);
            bound.getStatus().phase("Bound");
            none(detector.detect(bound, context(bound)));
            V1PersistentVolumeClaim fresh = pvc(1);
            none(detector.detect(fresh, context(fresh)));
        }
    }

    @Nested
    class HpaMaxed {
        final HpaMaxedDetector detector = new HpaMaxedDetector();

        V2HorizontalPodAutoscaler hpa(int current, int cpuNow) {
            return new V2HorizontalPodAutoscaler().apiVersion("autoscaling/v2").kind("HorizontalPodAutoscaler")
                    .metadata(meta("shop", "web", minutesAgo(6000)))
                    .spec(new V2HorizontalPodAutoscalerSpec().minReplicas(2).maxReplicas(10)
                            .scaleTargetRef(new V2CrossVersionObjectReference().apiVersion("apps/v1").kind("Deployment").name("web"))
                            .addMetricsItem(new V2MetricSpec().type("Resource").resource(new V2ResourceMetricSource().name("cpu")
                                    .target(new V2MetricTarget().type("Utilization").averageUtilization(70)))))
                    .status(new V2HorizontalPodAutoscalerStatus().currentReplicas(current).desiredReplicas(current)
                            .addCurrentMetricsItem(new V2MetricStatus().type("Resource").resource(new V2ResourceMetricStatus()
                                    .name("cpu").current(new V2MetricValueStatus().averageUtilization(cpuNow))))
                            .addConditionsItem(new V2HorizontalPodAutoscalerCondition().type("AbleToScale").status("True")
                                    .reason("ReadyForNewScale").lastTransitionTime(minutesAgo(500)))
                            .addConditionsItem(new V2HorizontalPodAutoscalerCondition().type("ScalingActive").status("True")
                                    .reason("ValidMetricFound").lastTransitionTime(minutesAgo(500)))
                            .addConditionsItem(new V2HorizontalPodAutoscalerCondition().type("ScalingLimited")
                                    .status(current >= 10 ? "True" : "False")
                                    .reason(current >= 10 ? "TooManyReplicas" : "DesiredWithinRange")
                                    .message(current >= 10 ? "the desired replica count is more than the maximum replica count" : "")
                                    .lastTransitionTime(minutesAgo(25))));
        }

        @Test
        void pinnedAtMaxAboveTarget() {
            V2HorizontalPodAutoscaler h = hpa(10, 180);
            Finding x = one(detector.detect(h, context(h)));
            assertEquals(IncidentTypes.HPA_MAXED, x.incidentType());
            hasFacts(x, "reason", "MaxReplicasReached", "maxReplicas", "10", "currentReplicas", "10",
                    "metric", "cpu 180% > 70%", "targetKind", "Deployment", "targetName", "web");
        }

        @Test
        void unableToComputeMetricsIsNoLongerHpaMaxed() {
            V2HorizontalPodAutoscaler h = hpa(3, 0);
            h.getStatus().getConditions().removeIf(c -> c.getType().equals("ScalingActive"));
            h.getStatus().addConditionsItem(new V2HorizontalPodAutoscalerCondition().type("ScalingActive").status("False")
                    .reason("FailedGetResourceMetric")
                    .message("the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics")
                    .lastTransitionTime(minutesAgo(30)));
            // An autoscaler that cannot compute metrics is not pinned at its maximum: hpa-cannot-act reports it.
            none(detector.detect(h, context(h)));
            Finding x = one(new HpaCannotActDetector().detect(h, context(h, deployment("shop", "web", 3, "web:1"))));
            assertEquals(IncidentTypes.HPA_METRICS_UNAVAILABLE, x.incidentType());
            hasFacts(x, "reason", "FailedGetResourceMetric");
        }

        @Test
        void withinRangeOrScaledToZeroIsNotReported() {
            V2HorizontalPodAutoscaler ok = hpa(4, 65);
            none(detector.detect(ok, context(ok)));
            V2HorizontalPodAutoscaler disabled = hpa(0, 0);
            disabled.getStatus().getConditions().removeIf(c -> c.getType().equals("ScalingActive"));
            disabled.getStatus().addConditionsItem(new V2HorizontalPodAutoscalerCondition().type("ScalingActive").status("False")
                    .reason("ScalingDisabled").lastTransitionTime(minutesAgo(300)));
            none(detector.detect(disabled, context(disabled)));
            V2HorizontalPodAutoscaler freshMax = hpa(10, 150);
            freshMax.getStatus().getConditions().forEach(c -> c.lastTransitionTime(minutesAgo(1)));
            none(detector.detect(freshMax, context(freshMax)));
        }
    }
}

package io.kubeincident.core.e2e;

import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.AutoscalingV2Api;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.kubeincident.core.fixtures.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The new cases of the catalogue through a real {@code scan()} on the loopback API server, everything found
 * through ServiceLoader: each is detected with its own incident type, diagnosed by the rules analyzer, and
 * the configuration defects are planned without any action. The deliberate look-alikes created beside them
 * (a selector-less Service without backends, a Deployment scaled to zero with its autoscaler, a suspended Job,
 * a Job's failed pod within its backoff limit, a scheduling-gated pod) give no incident at all.
 */
class DetectionBreadthScanTest {

    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension();

    @Test
    void newCasesAreDetectedDiagnosedAndDefectsAreNeverActedOn() throws ApiException {
        ApiClient client = kube.apiClient();
        CoreV1Api core = new CoreV1Api(client);
        AppsV1Api apps = new AppsV1Api(client);
        for (String ns : List.of("shop", "data", "batch")) {
            core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(ns))).execute();
        }

        // pod-sandbox-failed: a Deployment's pod whose CNI plugin fails, with the kubelet's events
        V1Deployment web = deployment("shop", "web", 1, "registry.example.com/shop/web:1.4.2");
        V1Deployment createdWeb = apps.createNamespacedDeployment("shop", clean(web)).execute();
        V1ReplicaSet rs = replicaSet(createdWeb, "7d9c5b8f4", 1, "registry.example.com/shop/web:1.4.2", 1, minutesAgo(90));
        V1ReplicaSet createdRs = apps.createNamespacedReplicaSet("shop", clean(rs)).execute();
        V1Pod sandbox = waiting(pod(createdRs, "x2k9q", "node-a"), "ContainerCreating", null, minutesAgo(15));
        V1Pod createdSandbox = core.createNamespacedPod("shop", clean(sandbox)).execute();
        core.createNamespacedEvent("shop", clean(event(createdSandbox, "Warning", "FailedCreatePodSandBox",
                "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"5b7e3c\": "
                        + "plugin type=\"calico\" failed (add): error getting ClusterInformation: connection is unauthorized: Unauthorized",
                25, minutesAgo(12), secondsAgo(30)))).execute();

        // evicted for ephemeral storage: exit 137, but not an OOM kill
        V1Pod evicted = pod("shop", "reports", "reports:2", "node-a");
        evicted.getStatus().phase("Failed").reason("Evicted").message("Pod ephemeral local storage usage exceeds the total limit of containers 2Gi. ");
        setCondition(evicted, "DisruptionTarget", "True", "TerminationByKubelet", "ephemeral-storage", minutesAgo(6));
        container(evicted).ready(false).state(new V1ContainerState().terminated(new V1ContainerStateTerminated()
                .exitCode(137).reason("Error").startedAt(minutesAgo(100)).finishedAt(minutesAgo(6))));
        core.createNamespacedPod("shop", clean(evicted)).execute();

        // bare-pod-failed (configuration defect)
        V1Pod migrate = pod("batch", "migrate-db", "registry.example.com/tools/migrate:3", "node-a");
        migrate.getSpec().restartPolicy("Never");
        migrate.getStatus().phase("Failed");
        container(migrate).ready(false).state(new V1ContainerState().terminated(new V1ContainerStateTerminated()
                .exitCode(1).reason("Error").finishedAt(minutesAgo(12))));
        core.createNamespacedPod("batch", clean(migrate)).execute();

        // pvc-lost
        core.createNamespacedPersistentVolumeClaim("data", new V1PersistentVolumeClaim()
                .metadata(new V1ObjectMeta().name("data-postgres-0").namespace("data"))
                .spec(new V1PersistentVolumeClaimSpec().storageClassName("gp3").volumeName("pvc-3f2a1c9e").accessModes(List.of("ReadWriteOnce")))
                .status(new V1PersistentVolumeClaimStatus().phase("Lost"))).execute();

        // statefulset-service-missing (configuration defect)
        apps.createNamespacedStatefulSet("data", new V1StatefulSet().metadata(new V1ObjectMeta().name("postgres").namespace("data")
                        .creationTimestamp(minutesAgo(600)))
                .spec(new V1StatefulSetSpec().replicas(1).serviceName("postgres-headless")
                        .selector(new V1LabelSelector().matchLabels(Map.of("app", "postgres")))
                        .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(Map.of("app", "postgres")))
                                .spec(podSpec("postgres:16"))))
                .status(new V1StatefulSetStatus().replicas(1).readyReplicas(1))).execute();

        // node-problem
        V1Node n = node("node-a");
        setNodeCondition(n, "KernelDeadlock", "True", "DockerHung", "kernel: INFO: task docker:20744 blocked for more than 120 seconds.",
                minutesAgo(20));
        core.createNode(clean(n)).execute();

        // hpa-target-missing (configuration defect) and hpa-metrics-unavailable
        AutoscalingV2Api autoscaling = new AutoscalingV2Api(client);
        V2HorizontalPodAutoscaler orphan = hpa("orphan", "web-v2");
        orphan.getStatus().addConditionsItem(hpaCond("AbleToScale", "False", "FailedGetScale",
                "the HPA controller was unable to get the target's current scale: deployments/scale.apps \"web-v2\" not found", 40));
        autoscaling.createNamespacedHorizontalPodAutoscaler("shop", orphan).execute();
        apps.createNamespacedDeployment("shop", clean(deployment("shop", "api", 3, "api:7"))).execute();
        V2HorizontalPodAutoscaler blind = hpa("api", "api");
        blind.getStatus().addConditionsItem(hpaCond("AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale", 40))
                .addConditionsItem(hpaCond("ScalingActive", "False", "FailedGetResourceMetric", "the HPA was unable to compute the replica "
                        + "count: failed to get cpu utilization: missing request for cpu in container app of Pod api-5c6d7e8f9-k2l3m", 40));
        autoscaling.createNamespacedHorizontalPodAutoscaler("shop", blind).execute();

        // look-alikes: deliberate states
        core.createNamespacedService("shop", new V1Service().metadata(new V1ObjectMeta().name("placeholder").namespace("shop"))
                .spec(new V1ServiceSpec().type("ClusterIP").addPortsItem(new V1ServicePort().port(80)))).execute();
        V1Deployment zero = deployment("shop", "idle", 0, "idle:1");
        zero.getStatus().replicas(null).readyReplicas(null).availableReplicas(null).updatedReplicas(null);
        apps.createNamespacedDeployment("shop", clean(zero)).execute();
        V2HorizontalPodAutoscaler idle = hpa("idle", "idle");
        idle.getStatus().currentReplicas(0).desiredReplicas(0).addConditionsItem(hpaCond("ScalingActive", "False", "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero", 300));
        autoscaling.createNamespacedHorizontalPodAutoscaler("shop", idle).execute();
        BatchV1Api batch = new BatchV1Api(client);
        batch.createNamespacedJob("batch", new V1Job().metadata(new V1ObjectMeta().name("nightly-export").namespace("batch"))
                .spec(new V1JobSpec().suspend(true).template(new V1PodTemplateSpec().spec(podSpec("export:1").restartPolicy("Never"))))
                .status(new V1JobStatus().addConditionsItem(new V1JobCondition().type("Suspended").status("True")
                        .reason("JobSuspended").lastTransitionTime(minutesAgo(600))))).execute();
        V1Job report = batch.createNamespacedJob("batch", new V1Job().metadata(new V1ObjectMeta().name("report").namespace("batch"))
                .spec(new V1JobSpec().backoffLimit(6).template(new V1PodTemplateSpec().spec(podSpec("report:2").restartPolicy("Never"))))
                .status(new V1JobStatus().failed(2).active(1).startTime(minutesAgo(20)))).execute();
        V1Pod retried = pod("batch", "report-abcde", "report:2", "node-a");
        retried.getSpec().restartPolicy("Never");
        retried.getMetadata().addOwnerReferencesItem(ownerRef(report, "Job", "batch/v1"));
        retried.getStatus().phase("Failed");
        container(retried).ready(false).state(new V1ContainerState().terminated(new V1ContainerStateTerminated()
                .exitCode(1).reason("Error").finishedAt(minutesAgo(5))));
        core.createNamespacedPod("batch", clean(retried)).execute();
        V1Pod gated = pod("shop", "gated", "web:1", null);
        gated.getSpec().addSchedulingGatesItem(new V1PodSchedulingGate().name("example.com/quota-check"));
        gated.getStatus().phase("Pending").startTime(null).containerStatuses(null).podIP(null).hostIP(null)
                .conditions(new ArrayList<>(List.of(cond("PodScheduled", "False", "SchedulingGated",
                        "Scheduling is blocked due to non-empty scheduling gates", minutesAgo(45)))));
        core.createNamespacedPod("shop", clean(gated)).execute();

        // The server stamps creationTimestamp with the wall clock while the fixtures' status times are older: the
        // engine looks two hours past the wall clock (the StatefulSet and the autoscalers are then old enough to
        // count), and the history windows are widened so that only the detectors' judgement keeps anything quiet.
        java.time.Clock later = java.time.Clock.fixed(java.time.Instant.now().plus(java.time.Duration.ofHours(2)),
                java.time.ZoneOffset.UTC);
        try (IncidentEngine engine = IncidentEngine.builder().apiClient(client).clock(later).logAudit(false)
                .config(Map.of("detection.evicted_window", "P1000D", "detection.job_failed_window", "P1000D",
                        "detection.oom_window", "P1000D")).build()) {
            List<IncidentReport> reports = engine.scan();
            Map<String, IncidentReport> byRoot = reports.stream()
                    .collect(Collectors.toMap(r -> r.incident().rootResource().key(), r -> r, (a, b) -> a));
            assertEquals(java.util.Set.of("Deployment/shop/web", "Pod/shop/reports", "Pod/batch/migrate-db",
                            "PersistentVolumeClaim/data/data-postgres-0", "StatefulSet/data/postgres", "Node/node-a",
                            "HorizontalPodAutoscaler/shop/orphan", "Deployment/shop/api"), byRoot.keySet(),
                    () -> "incidents: " + reports.stream().map(r -> r.incident().type() + " " + r.incident().rootResource().key()).toList());

            expect(byRoot.get("Deployment/shop/web"), IncidentTypes.POD_SANDBOX_FAILED, "cni-failure");
            expect(byRoot.get("Pod/shop/reports"), IncidentTypes.EVICTED, "ephemeral-storage-exhausted");
            expect(byRoot.get("PersistentVolumeClaim/data/data-postgres-0"), IncidentTypes.PVC_LOST, "volume-lost");
            expect(byRoot.get("Deployment/shop/api"), IncidentTypes.HPA_METRICS_UNAVAILABLE, "hpa-missing-requests");
            IncidentReport node = expect(byRoot.get("Node/node-a"), IncidentTypes.NODE_PROBLEM, "node-os-failure");
            assertEquals("cordon-node", node.plan().get(0).action().actionType());
            for (String defect : List.of("Pod/batch/migrate-db", "StatefulSet/data/postgres", "HorizontalPodAutoscaler/shop/orphan")) {
                IncidentReport r = byRoot.get(defect);
                assertTrue(IncidentTypes.CONFIGURATION_DEFECTS.contains(r.incident().type()), r.incident().type());
                assertEquals(Severity.LOW, r.incident().severity(), defect);
                assertEquals("configuration-defect", r.diagnosis().category(), defect);
                assertEquals(List.of(), r.plan(), "a configuration defect is never acted on: " + defect);
            }
        }
    }

    private static IncidentReport expect(IncidentReport r, String type, String category) {
        assertNotNull(r);
        assertEquals(type, r.incident().type(), () -> r.incident().toString());
        assertEquals("rules", r.diagnosis().analyzerId());
        assertEquals(category, r.diagnosis().category(), () -> r.diagnosis().rootCause());
        return r;
    }

    /** Drops what the API server assigns (uid, resourceVersion) from a fixture object before it is created. */
    private static <T extends KubernetesObject> T clean(T o) {
        o.getMetadata().uid(null).resourceVersion(null);
        return o;
    }

    private static V2HorizontalPodAutoscaler hpa(String name, String target) {
        return new V2HorizontalPodAutoscaler().metadata(new V1ObjectMeta().name(name).namespace("shop").creationTimestamp(minutesAgo(600)))
                .spec(new V2HorizontalPodAutoscalerSpec().minReplicas(2).maxReplicas(10)
                        .scaleTargetRef(new V2CrossVersionObjectReference().apiVersion("apps/v1").kind("Deployment").name(target))
                        .addMetricsItem(new V2MetricSpec().type("Resource").resource(new V2ResourceMetricSource().name("cpu")
                                .target(new V2MetricTarget().type("Utilization").averageUtilization(70)))))
                .status(new V2HorizontalPodAutoscalerStatus().currentReplicas(3).desiredReplicas(3));
    }

    private static V2HorizontalPodAutoscalerCondition hpaCond(String type, String status, String reason, String message, long minutes) {
        return new V2HorizontalPodAutoscalerCondition().type(type).status(status).reason(reason).message(message)
                .lastTransitionTime(minutesAgo(minutes));
    }
}

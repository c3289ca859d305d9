package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.Severity;
import io.kubernetes.client.openapi.models.*;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.kubeincident.core.fixtures.Assertions2.*;
import static io.kubeincident.core.fixtures.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class WorkloadDetectorsTest {

    @Nested
    class RolloutStuck {
        final RolloutStuckDetector detector = new RolloutStuckDetector();

        V1Deployment rolling(String progressingStatus, String progressingReason, String availableStatus, long availableMinutes) {
            V1Deployment d = deployment("shop", "web", 3, "registry.example.com/shop/web:1.5.0");
            d.getMetadata().putAnnotationsItem("deployment.kubernetes.io/revision", "3");
            d.getStatus().replicas(4).updatedReplicas(1).readyReplicas(3).availableReplicas(availableStatus.equals("True") ? 2 : 0)
                    .unavailableReplicas(2).conditions(new ArrayList<>(List.of(
                            new V1DeploymentCondition().type("Available").status(availableStatus)
                                    .reason(availableStatus.equals("True") ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable")
                                    .message("Deployment does not have minimum availability.")
                                    .lastTransitionTime(minutesAgo(availableMinutes)),
                            new V1DeploymentCondition().type("Progressing").status(progressingStatus).reason(progressingReason)
                                    .message("ReplicaSet \"web-5f7d8\" has timed out progressing.")
                                    .lastTransitionTime(minutesAgo(1)))));
            return d;
        }

        @Test
        void progressDeadlineExceededCountsAtOnce() {
            V1Deployment d = rolling("False", "ProgressDeadlineExceeded", "True", 600);
            Finding x = one(detector.detect(d, context(d)));
            assertEquals(IncidentTypes.ROLLOUT_STUCK, x.incidentType());
            assertEquals(Severity.MEDIUM, x.severity());
            hasFacts(x, "reason", "ProgressDeadlineExceeded", "replicas", "3", "updatedReplicas", "1",
                    "availableReplicas", "2", "unavailableReplicas", "2", "revision", "3",
                    "image", "registry.example.com/shop/web:1.5.0", "condition.Progressing", "False");
            contains(x.message(), "ProgressDeadlineExceeded", "2/3 available");
        }

        @Test
        void unavailableForLongIsReported() {
            V1Deployment d = rolling("True", "ReplicaSetUpdated", "False", 15);
            Finding x = one(detector.detect(d, context(d)));
            assertEquals(Severity.HIGH, x.severity());
            hasFacts(x, "reason", "MinimumReplicasUnavailable", "availableReplicas", "0");
        }

        @Test
        void rolloutInProgressIsNotReported() {
            V1Deployment d = rolling("True", "ReplicaSetUpdated", "True", 600);
            none(detector.detect(d, context(d)));
            V1Deployment brief = rolling("True", "ReplicaSetUpdated", "False", 3);
            none(detector.detect(brief, context(brief)));
        }

        @Test
        void pausedOrScaledToZeroOrHealthyIsNotReported() {
            V1Deployment paused = rolling("False", "ProgressDeadlineExceeded", "False", 60);
            paused.getSpec().paused(true);
            none(detector.detect(paused, context(paused)));
            V1Deployment zero = rolling("False", "ProgressDeadlineExceeded", "False", 60);
            zero.getSpec().replicas(0);
            none(detector.detect(zero, context(zero)));
            V1Deployment ok = deployment("shop", "web", 3, "web:1");
            none(detector.detect(ok, context(ok)));
        }
    }

    @Nested
    class ReplicaFailure {
        final ReplicaFailureDetector detector = new ReplicaFailureDetector();
        final V1Deployment web = deployment("shop", "web", 3, "web:1");

        @Test
        void reportsFailedCreateWithQuotaMessage() {
            V1ReplicaSet rs = replicaSet(web, "5f7d8", 3, "web:1", 3, minutesAgo(5));
            rs.getStatus().replicas(1).readyReplicas(1).availableReplicas(1).addConditionsItem(new V1ReplicaSetCondition()
                    .type("ReplicaFailure").status("True").reason("FailedCreate").lastTransitionTime(minutesAgo(4))
                    .message("pods \"web-5f7d8-abcde\" is forbidden: exceeded quota: compute, requested: limits.memory=256Mi, "
                            + "used: limits.memory=1Gi, limited: limits.memory=1Gi"));
            Finding x = one(detector.detect(rs, context(rs)));
            assertEquals(IncidentTypes.REPLICA_FAILURE, x.incidentType());
            hasFacts(x, "reason", "FailedCreate", "quotaExceeded", "true", "replicas", "3", "currentReplicas", "1",
                    "ownerKind", "Deployment", "ownerName", "web");
        }

        @Test
        void messageFromEventWhenConditionHasNone() {
            V1ReplicaSet rs = replicaSet(web, "5f7d8", 3, "web:1", 3, minutesAgo(5));
            rs.getStatus().replicas(0).addConditionsItem(new V1ReplicaSetCondition().type("ReplicaFailure").status("True")
                    .reason("FailedCreate").lastTransitionTime(minutesAgo(4)));
            CoreV1Event e = event(rs, "Warning", "FailedCreate", "Error creating: admission webhook \"policy.example.com\" denied the request",
                    12, minutesAgo(4), secondsAgo(30));
            Finding x = one(detector.detect(rs, context(rs, e)));
            contains(x.fact("message"), "admission webhook");
        }

        @Test
        void healthyAndScaledDownReplicaSetsAreNotReported() {
            V1ReplicaSet rs = replicaSet(web, "5f7d8", 3, "web:1", 3, minutesAgo(5));
            none(detector.detect(rs, context(rs)));
            V1ReplicaSet old = replicaSet(web, "1a2b3", 2, "web:0", 0, minutesAgo(500));
            old.getStatus().addConditionsItem(new V1ReplicaSetCondition().type("ReplicaFailure").status("True").reason("FailedCreate"));
            none(detector.detect(old, context(old)));
        }
    }

    @Nested
    class WorkloadUnavailable {
        final WorkloadUnavailableDetector detector = new WorkloadUnavailableDetector();

        V1StatefulSet sts(int replicas, int ready) {
            V1StatefulSet s = new V1StatefulSet().apiVersion("apps/v1").kind("StatefulSet")
                    .metadata(meta("data", "postgres", minutesAgo(6000)))
                    .spec(new V1StatefulSetSpec().replicas(replicas).serviceName("postgres")
                            .selector(new V1LabelSelector().matchLabels(labels("app", "postgres")))
                            .template(new V1PodTemplateSpec().spec(podSpec("postgres:16"))))
                    .status(new V1StatefulSetStatus().replicas(replicas).readyReplicas(ready).availableReplicas(ready)
                            .currentReplicas(replicas).updatedReplicas(replicas));
            return s;
        }

        V1Pod stsPod(V1StatefulSet s, int ordinal) {
            V1Pod p = pod("data", "postgres-" + ordinal, "postgres:16", "node-b");
            p.getMetadata().addOwnerReferencesItem(ownerRef(s, "StatefulSet", "apps/v1"));
            return p;
        }

        @Test
        void statefulSetWithPodNotReadyForLong() {
            V1StatefulSet s = sts(3, 2);
            V1Pod p0 = stsPod(s, 0);
            V1Pod p1 = stsPod(s, 1);
            V1Pod p2 = crashLooping(stsPod(s, 2), 9, 1, "Error");
            notReady(p2, minutesAgo(20));
            Finding x = one(detector.detect(s, context(s, p0, p1, p2)));
            assertEquals(IncidentTypes.WORKLOAD_UNAVAILABLE, x.incidentType());
            assertEquals("StatefulSet/data/postgres", x.resource().key());
            hasFacts(x, "replicas", "3", "readyReplicas", "2", "notReadyPods", "postgres-2", "reason", "CrashLoopBackOff",
                    "notReadyMinutes", "20");
        }

        @Test
        void daemonSetWithUnavailablePods() {
            V1DaemonSet ds = new V1DaemonSet().apiVersion("apps/v1").kind("DaemonSet")
                    .metadata(meta("monitoring", "node-exporter", minutesAgo(6000)))
                    .spec(new V1DaemonSetSpec().selector(new V1LabelSelector().matchLabels(labels("app", "ne")))
                            .template(new V1PodTemplateSpec().spec(podSpec("node-exporter:1"))))
                    .status(new V1DaemonSetStatus().desiredNumberScheduled(3).currentNumberScheduled(3).numberReady(0)
                            .numberUnavailable(3).numberMisscheduled(0));
            List<io.kubernetes.client.common.KubernetesObject> all = new ArrayList<>(List.of(ds));
            for (int i = 0; i < 3; i++) {
                V1Pod p = waiting(pod("monitoring", "node-exporter-" + i, "node-exporter:1", "node-" + i),
                        "ImagePullBackOff", "not found", minutesAgo(30));
                p.getMetadata().addOwnerReferencesItem(ownerRef(ds, "DaemonSet", "apps/v1"));
                all.add(p);
            }
            Finding x = one(detector.detect(ds, context(all)));
            assertEquals(Severity.HIGH, x.severity());
            hasFacts(x, "replicas", "3", "readyReplicas", "0", "reason", "ImagePullBackOff");
        }

        @Test
        void missingPodsCountFromFailedCreateEvents() {
            V1StatefulSet s = sts(2, 1);
            CoreV1Event e = event(s, "Warning", "FailedCreate",
                    "create Pod postgres-1 in StatefulSet postgres failed error: pods \"postgres-1\" is forbidden: exceeded quota",
                    30, minutesAgo(25), secondsAgo(10));
            Finding x = one(detector.detect(s, context(s, stsPod(s, 0), e)));
            hasFacts(x, "reason", "FailedCreate");
        }

        @Test
        void podBeingReplacedRightNowIsNotReported() {
            V1StatefulSet s = sts(2, 1);
            none(detector.detect(s, context(s, stsPod(s, 0))));
        }

        @Test
        void briefRollingUpdateAndHealthyAreNotReported() {
            V1StatefulSet s = sts(3, 2);
            V1Pod p2 = stsPod(s, 2);
            notReady(p2, minutesAgo(1));
            none(detector.detect(s, context(s, stsPod(s, 0), stsPod(s, 1), p2)));
            V1StatefulSet ok = sts(3, 3);
            none(detector.detect(ok, context(ok, stsPod(ok, 0), stsPod(ok, 1), stsPod(ok, 2))));
        }
    }

    @Nested
    class JobFailed {
        final JobFailedDetector detector = new JobFailedDetector();

        V1Job job(String conditionType, String reason, long minutes) {
            V1Job j = new V1Job().apiVersion("batch/v1").kind("Job").metadata(meta("batch", "report-28911220", minutesAgo(minutes + 10)))
                    .spec(new V1JobSpec().backoffLimit(6).template(new V1PodTemplateSpec().spec(podSpec("report:2"))))
                    .status(new V1JobStatus().failed(7).startTime(minutesAgo(minutes + 10))
                            .addConditionsItem(new V1JobCondition().type(conditionType).status("True").reason(reason)
                                    .message("Job has reached the specified backoff limit")
                                    .lastTransitionTime(minutesAgo(minutes))));
            return j;
        }

        @Test
        void backoffLimitExceededFromCronJob() {
            V1Job j = job("Failed", "BackoffLimitExceeded", 5);
            j.getMetadata().addOwnerReferencesItem(new V1OwnerReference().apiVersion("batch/v1").kind("CronJob")
                    .name("report").uid(uid()).controller(true));
            Finding x = one(detector.detect(j, context(j)));
            assertEquals(IncidentTypes.JOB_FAILED, x.incidentType());
            hasFacts(x, "reason", "BackoffLimitExceeded", "failedPods", "7", "backoffLimit", "6", "ownerKind", "CronJob",
                    "ownerName", "report");
        }

        @Test
        void deadlineExceeded() {
            V1Job j = job("Failed", "DeadlineExceeded", 5);
            hasFacts(one(detector.detect(j, context(j))), "reason", "DeadlineExceeded");
        }

        @Test
        void completedOrOldFailuresAreNotReported() {
            V1Job ok = job("Complete", null, 5);
            none(detector.detect(ok, context(ok)));
            V1Job old = job("Failed", "BackoffLimitExceeded", 60 * 24);
            none(detector.detect(old, context(old)));
        }
    }
}

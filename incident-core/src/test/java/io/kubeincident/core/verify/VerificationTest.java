package io.kubeincident.core.verify;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.monitor.ObjectIndex;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.kubeincident.core.verify.Verification.Conclusion.NOT_IMPROVED;
import static io.kubeincident.core.verify.Verification.Conclusion.PENDING;
import static io.kubeincident.core.verify.Verification.Conclusion.RESOLVED;
import static io.kubeincident.core.verify.Verification.Conclusion.WORSE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerificationTest {
    private static final Instant T0 = Instant.parse("2026-01-20T10:30:00Z");
    private static final ResourceRef WEB = new ResourceRef("Deployment", "default", "web", "d1");

    private static V1Pod pod(String name, boolean ready, int restarts) {
        return new V1Pod().metadata(new V1ObjectMeta().name(name).namespace("default").uid(name + "-uid")
                        .addOwnerReferencesItem(new V1OwnerReference().kind("ReplicaSet").name("web-abc").uid("rs1").controller(true)))
                .status(new V1PodStatus().phase("Running")
                        .addConditionsItem(new V1PodCondition().type("Ready").status(ready ? "True" : "False"))
                        .addContainerStatusesItem(new V1ContainerStatus().name("app").restartCount(restarts).ready(ready)
                                .image("web").imageID("")));
    }

    private static ObjectIndex web(int available, V1Pod... pods) {
        List<KubernetesObject> l = new ArrayList<>();
        l.add(new V1Deployment().metadata(new V1ObjectMeta().name("web").namespace("default").uid("d1"))
                .spec(new V1DeploymentSpec().replicas(2)).status(new V1DeploymentStatus().availableReplicas(available)));
        l.add(new V1ReplicaSet().metadata(new V1ObjectMeta().name("web-abc").namespace("default").uid("rs1")
                .addOwnerReferencesItem(new V1OwnerReference().kind("Deployment").name("web").uid("d1").controller(true))));
        l.addAll(List.of(pods));
        return new ObjectIndex(l);
    }

    private final HealthSnapshot baseline = HealthProbe.of(WEB, web(1, pod("web-1", false, 7), pod("web-2", true, 0)));

    @Test
    void theProbeReadsADeploymentThroughItsPods() {
        assertEquals(2, baseline.desired());
        assertEquals(1, baseline.ready());
        assertEquals(1, baseline.notReady());
        assertTrue(baseline.problems().get(0).contains("web-1 not ready"));
        assertTrue(!baseline.looksHealthy());
        assertEquals(false, HealthProbe.of(ResourceRef.of("Deployment", "default", "gone"), web(1)).exists());
        assertEquals(false, HealthProbe.of(ResourceRef.of("Service", "default", "web"), web(1)).known());
    }

    @Test
    void resolvedOnceHealthyAndUndetectedForTheStablePeriod() {
        Verification v = new Verification(baseline, T0, Duration.ofMinutes(5), 2);
        ObjectIndex after = web(2, pod("web-3", true, 0), pod("web-2", true, 0));
        assertEquals(PENDING, v.observe(HealthProbe.of(WEB, after), true, T0.plusSeconds(30)).conclusion(), "still detected");
        assertEquals(PENDING, v.observe(HealthProbe.of(WEB, after), false, T0.plusSeconds(60)).conclusion(), "one look is not enough");
        Verification.Observation o = v.observe(HealthProbe.of(WEB, after), false, T0.plusSeconds(90));
        assertEquals(RESOLVED, o.conclusion());
        assertTrue(o.detail().contains("2/2 ready"), o.detail());
        assertEquals(RESOLVED, v.observe(HealthProbe.of(WEB, web(0)), true, T0.plusSeconds(600)).conclusion(), "concluded stays concluded");
    }

    @Test
    void aPodThatKeepsRestartingIsNotHealthyEvenWhenReadyBetweenCrashes() {
        Verification v = new Verification(baseline, T0, Duration.ofMinutes(5), 2);
        v.observe(HealthProbe.of(WEB, web(2, pod("web-3", true, 1), pod("web-2", true, 0))), false, T0.plusSeconds(30));
        assertEquals(PENDING, v.observe(HealthProbe.of(WEB, web(2, pod("web-3", true, 2), pod("web-2", true, 0))), false,
                T0.plusSeconds(60)).conclusion());
        Verification.Observation end = v.observe(HealthProbe.of(WEB, web(2, pod("web-3", true, 3), pod("web-2", true, 0))), false,
                T0.plusSeconds(300));
        assertEquals(NOT_IMPROVED, end.conclusion());
        assertTrue(end.detail().contains("restarted"), end.detail());
    }

    @Test
    void stillFailingAtTheEndOfTheWindowIsNotImproved() {
        Verification v = new Verification(baseline, T0, Duration.ofMinutes(5), 2);
        ObjectIndex same = web(1, pod("web-4", false, 3), pod("web-2", true, 0));
        assertEquals(PENDING, v.observe(HealthProbe.of(WEB, same), true, T0.plusSeconds(120)).conclusion());
        assertEquals(NOT_IMPROVED, v.observe(HealthProbe.of(WEB, same), true, T0.plusSeconds(300)).conclusion());
    }

    @Test
    void fewerReadyReplicasThanBeforeIsWorse() {
        Verification v = new Verification(baseline, T0, Duration.ofMinutes(5), 2);
        Verification.Observation o = v.observe(HealthProbe.of(WEB, web(0, pod("web-4", false, 1), pod("web-5", false, 0))), true,
                T0.plusSeconds(301));
        assertEquals(WORSE, o.conclusion());
        assertTrue(o.detail().contains("was 1/2 ready"), o.detail());
    }

    @Test
    void nodesAreReadByTheirReadyCondition() {
        ResourceRef node = ResourceRef.cluster("Node", "node-1");
        V1Node notReady = new V1Node().metadata(new V1ObjectMeta().name("node-1"))
                .status(new V1NodeStatus().addConditionsItem(new V1NodeCondition().type("Ready").status("False")));
        V1Node ready = new V1Node().metadata(new V1ObjectMeta().name("node-1"))
                .status(new V1NodeStatus().addConditionsItem(new V1NodeCondition().type("Ready").status("True")));
        Verification v = new Verification(HealthProbe.of(node, new ObjectIndex(List.of(notReady))), T0, Duration.ofMinutes(5), 1);
        assertEquals(RESOLVED, v.observe(HealthProbe.of(node, new ObjectIndex(List.of(ready))), false, T0.plusSeconds(10)).conclusion());
    }

    @Test
    void followUpsFollowTheRules() {
        var worse = new Verification.Observation(WORSE, "worse");
        assertInstanceOf(FollowUp.UndoThenEscalate.class, FollowUp.after(worse, true, true));
        assertInstanceOf(FollowUp.Escalate.class, FollowUp.after(worse, false, true));
        var same = new Verification.Observation(NOT_IMPROVED, "same");
        assertInstanceOf(FollowUp.NextStep.class, FollowUp.after(same, false, true));
        FollowUp spent = FollowUp.after(same, true, false);
        assertInstanceOf(FollowUp.Escalate.class, spent);
        assertTrue(spent.reason().contains("retry budget spent"));
        assertInstanceOf(FollowUp.Resolve.class, FollowUp.after(new Verification.Observation(RESOLVED, "ok"), false, false));
        assertThrows(IllegalArgumentException.class, () -> FollowUp.after(new Verification.Observation(PENDING, ""), true, true));
        assertThrows(IllegalArgumentException.class, () -> new Verification(baseline, T0, Duration.ZERO, 1));
    }
}

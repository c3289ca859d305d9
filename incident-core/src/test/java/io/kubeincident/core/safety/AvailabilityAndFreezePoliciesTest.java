package io.kubeincident.core.safety;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.Verdict;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentStrategy;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudgetSpec;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudgetStatus;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.kubeincident.core.safety.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AvailabilityAndFreezePoliciesTest {

    private final ActionLedger ledger = new ActionLedger();
    private final AvailabilityPolicy availability = new AvailabilityPolicy();

    private static V1PodDisruptionBudget pdb(int disruptionsAllowed, int minAvailable) {
        return new V1PodDisruptionBudget().metadata(new V1ObjectMeta().name("web-pdb").namespace("default"))
                .spec(new V1PodDisruptionBudgetSpec().minAvailable(new IntOrString(minAvailable))
                        .selector(new V1LabelSelector().putMatchLabelsItem("app", "web")))
                .status(new V1PodDisruptionBudgetStatus().disruptionsAllowed(disruptionsAllowed)
                        .currentHealthy(1).desiredHealthy(1).expectedPods(2));
    }

    @Test
    void restartingACrashingPodCostsNoAvailability() {
        var ctx = context(cluster(false, true), Map.of(), ledger);
        assertTrue(availability.evaluate(action(ActionTypes.RESTART_POD, POD1, Map.of()), ctx).isAllow());
    }

    @Test
    void theLastReadyReplicaIsNotRestarted() {
        var ctx = context(cluster(false, true), Map.of(), ledger);
        Verdict v = availability.evaluate(action(ActionTypes.RESTART_POD, POD2, Map.of()), ctx);
        assertTrue(v.isDeny());
        assertTrue(v.reasons().get(0).contains("last ready replica"), v.reasons().toString());
        var both = context(cluster(true, true), Map.of(), ledger);
        assertTrue(availability.evaluate(action(ActionTypes.RESTART_POD, POD2, Map.of()), both).isAllow());
    }

    @Test
    void aPodDisruptionBudgetWithNoRoomDenies() {
        List<KubernetesObject> objs = new ArrayList<>(cluster(true, true));
        objs.add(pdb(0, 2));
        Verdict v = availability.evaluate(action(ActionTypes.RESTART_POD, POD2, Map.of()), context(objs, Map.of(), ledger));
        assertTrue(v.isDeny());
        assertTrue(v.reasons().get(0).contains("PodDisruptionBudget default/web-pdb"));
        Verdict drain = availability.evaluate(action(ActionTypes.DRAIN_NODE, NODE1, Map.of()), context(objs, Map.of(), ledger));
        assertTrue(drain.isDeny());
        Verdict scale = availability.evaluate(action(ActionTypes.SCALE, DEPLOYMENT, Map.of("replicas", 1)), context(objs, Map.of(), ledger));
        assertTrue(scale.isDeny());
        assertTrue(String.join(" ", scale.reasons()).contains("minAvailable=2"));
        assertTrue(availability.evaluate(action(ActionTypes.SCALE, DEPLOYMENT, Map.of("replicas", 3)), context(objs, Map.of(), ledger)).isAllow());
    }

    @Test
    void aRecreateRolloutWouldStopEveryReadyPod() {
        List<KubernetesObject> objs = new ArrayList<>(cluster(false, true));
        objs.removeIf(o -> o instanceof V1Deployment);
        V1Deployment d = deployment(2);
        d.getSpec().strategy(new V1DeploymentStrategy().type("Recreate"));
        objs.add(d);
        Verdict v = availability.evaluate(action(ActionTypes.ROLLOUT_RESTART, DEPLOYMENT, Map.of()), context(objs, Map.of(), ledger));
        assertTrue(v.isDeny());
        assertTrue(v.reasons().get(0).contains("Recreate"));
        assertTrue(availability.evaluate(action(ActionTypes.ROLLOUT_RESTART, DEPLOYMENT, Map.of()),
                context(cluster(false, true), Map.of(), ledger)).isAllow(), "RollingUpdate keeps pods up");
    }

    @Test
    void changeFreezeAsksForApprovalInsideTheWindowOnly() {
        SafetyConfig cfg = config(Map.of("safety.change_freeze.weekend.cron", "0 18 * * FRI",
                "safety.change_freeze.weekend.duration", "62h", "safety.change_freeze.weekend.namespaces", "default,payments"));
        ChangeFreezePolicy p = new ChangeFreezePolicy(cfg.freezeWindows());
        var restart = action(ActionTypes.RESTART_POD, POD1, Map.of());
        Instant saturday = Instant.parse("2026-01-24T09:00:00Z");
        Verdict inside = p.evaluate(restart, context(incident(), cluster(false, true), Map.of(), ledger, Clock.fixed(saturday, ZoneOffset.UTC)));
        assertInstanceOf(Verdict.RequireApproval.class, inside);
        assertTrue(inside.reasons().get(0).contains("since 2026-01-23T18:00:00Z"), inside.reasons().toString());
        Instant tuesday = Instant.parse("2026-01-20T10:30:00Z");
        assertTrue(p.evaluate(restart, context(incident(), cluster(false, true), Map.of(), ledger, Clock.fixed(tuesday, ZoneOffset.UTC))).isAllow());
        Instant mondayMorning = Instant.parse("2026-01-26T07:59:00Z");
        assertInstanceOf(Verdict.RequireApproval.class,
                p.evaluate(restart, context(incident(), cluster(false, true), Map.of(), ledger, Clock.fixed(mondayMorning, ZoneOffset.UTC))));
        Instant mondayAfter = Instant.parse("2026-01-26T08:00:00Z");
        assertTrue(p.evaluate(restart, context(incident(), cluster(false, true), Map.of(), ledger, Clock.fixed(mondayAfter, ZoneOffset.UTC))).isAllow());
    }

    @Test
    void cronExpressionsParseAndRejectNonsense() {
        Cron c = Cron.parse("*/15 9-17 * * MON-FRI");
        assertTrue(c.matches(Instant.parse("2026-01-20T09:45:00Z").atZone(ZoneOffset.UTC)));
        assertTrue(!c.matches(Instant.parse("2026-01-20T09:46:00Z").atZone(ZoneOffset.UTC)));
        assertTrue(!c.matches(Instant.parse("2026-01-24T10:00:00Z").atZone(ZoneOffset.UTC)), "Saturday");
        assertTrue(Cron.parse("0 0 1 * 0").matches(Instant.parse("2026-01-25T00:00:00Z").atZone(ZoneOffset.UTC)),
                "day-of-month or day-of-week: a Sunday matches");
        for (String bad : List.of("", "* * * *", "61 * * * *", "* * * * BLAH", "5-1 * * * *", "*/0 * * * *")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cron.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("cron"), e.getMessage());
        }
        assertEquals("0 18 * * FRI", Cron.parse(" 0 18 * * FRI ").toString());
    }
}

package io.kubeincident.core.safety;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Verdict;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Node;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.kubeincident.core.safety.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LimitPoliciesTest {

    private final ActionLedger ledger = new ActionLedger();

    private void applied(String fingerprint, String type, ResourceRef target, Duration ago, boolean dryRun, String result) {
        var slot = ledger.started("i-" + fingerprint, fingerprint, type, target, NOW.minus(ago), dryRun);
        ledger.finished(slot, result);
    }

    @Test
    void replicaCeilingAndScaleFactorHoldWhateverTheConfidence() {
        HardLimitsPolicy p = new HardLimitsPolicy(config(Map.of("safety.max_replicas", "6", "safety.max_scale_factor", "2")));
        var ctx = context(cluster(false, true), Map.of(), ledger);
        assertTrue(p.evaluate(action(ActionTypes.SCALE, DEPLOYMENT, Map.of("replicas", 4)), ctx).isAllow(), "2 -> 4 is x2");
        Verdict tooMany = p.evaluate(action(ActionTypes.SCALE, DEPLOYMENT, Map.of("replicas", 7)), ctx);
        assertTrue(tooMany.isDeny());
        assertTrue(String.join(" ", tooMany.reasons()).contains("safety.max_replicas=6"));
        Verdict tooFast = p.evaluate(action(ActionTypes.SCALE, DEPLOYMENT, Map.of("replicas", 5)), ctx);
        assertTrue(tooFast.isDeny(), "2 -> 5 is x2.5");
        assertTrue(tooFast.reasons().get(0).contains("max_scale_factor"));
        assertTrue(p.evaluate(action(ActionTypes.SCALE, DEPLOYMENT, Map.of("replicas", "lots")), ctx).isDeny());
    }

    @Test
    void resourceRaiseIsBounded() {
        HardLimitsPolicy p = new HardLimitsPolicy(config(Map.of("safety.max_resource_factor", "1.5")));
        var ctx = context(cluster(false, true), Map.of(), ledger);
        assertTrue(p.evaluate(action(ActionTypes.ADJUST_RESOURCES, DEPLOYMENT, Map.of("factor", 1.5)), ctx).isAllow());
        assertTrue(p.evaluate(action(ActionTypes.ADJUST_RESOURCES, DEPLOYMENT, Map.of("factor", 3)), ctx).isDeny());
    }

    @Test
    void neverTheLastSchedulableNodeNorTooManyAtOnce() {
        HardLimitsPolicy p = new HardLimitsPolicy(SafetyConfig.defaults());
        List<KubernetesObject> objs = new ArrayList<>(cluster(true, true));
        objs.removeIf(o -> o instanceof V1Node n && n.getMetadata().getName().equals("node-2"));
        objs.add(node("node-2", false, true));  // NotReady: not a place to move pods to
        Verdict last = p.evaluate(action(ActionTypes.DRAIN_NODE, NODE1, Map.of()), context(objs, Map.of(), ledger));
        assertTrue(last.isDeny());
        assertTrue(last.reasons().get(0).contains("last schedulable"));

        List<KubernetesObject> busy = new ArrayList<>(cluster(true, true));
        busy.add(node("node-3", true, false));  // already cordoned
        Verdict tooMany = p.evaluate(action(ActionTypes.CORDON_NODE, NODE1, Map.of()), context(busy, Map.of(), ledger));
        assertTrue(tooMany.isDeny());
        assertTrue(tooMany.reasons().get(0).contains("max_nodes_draining=1"));
    }

    @Test
    void concurrencyAndHourlyLimitsCountRealActionsOnly() {
        RateLimitPolicy p = new RateLimitPolicy(config(Map.of("safety.max_concurrent_actions", "1",
                "safety.max_actions_per_hour", "3", "safety.max_actions_per_hour_per_namespace", "2")));
        var ctx = context(cluster(false, true), Map.of(), ledger);
        var proposed = action(ActionTypes.RESTART_POD, POD1, Map.of());
        for (int i = 0; i < 5; i++) applied("fp-dry", ActionTypes.RESTART_POD, POD2, Duration.ofMinutes(1), true, "dry-run");
        assertTrue(p.evaluate(proposed, ctx).isAllow(), "dry runs never count");

        applied("fp-a", ActionTypes.RESTART_POD, ResourceRef.of("Pod", "default", "a"), Duration.ofMinutes(10), false, "applied");
        applied("fp-b", ActionTypes.RESTART_POD, ResourceRef.of("Pod", "default", "b"), Duration.ofMinutes(5), false, "applied");
        Verdict perNs = p.evaluate(proposed, ctx);
        assertTrue(perNs.isDeny());
        assertTrue(perNs.reasons().get(0).contains("namespace default"));

        applied("fp-c", ActionTypes.RESTART_POD, ResourceRef.of("Pod", "other", "c"), Duration.ofMinutes(2), false, "applied");
        Verdict global = p.evaluate(action(ActionTypes.RESTART_POD, ResourceRef.of("Pod", "third", "x"), Map.of()), ctx);
        assertTrue(global.isDeny());
        assertTrue(global.reasons().get(0).contains("max_actions_per_hour=3"));

        var later = context(incident(), cluster(false, true), Map.of(), ledger, Clock.fixed(NOW.plus(Duration.ofMinutes(61)), ZoneOffset.UTC));
        assertTrue(p.evaluate(proposed, later).isAllow(), "an hour later the window has moved on");

        ledger.started("i", "fp", ActionTypes.SCALE, DEPLOYMENT, NOW, false);  // still running
        Verdict concurrent = p.evaluate(proposed, later);
        assertTrue(concurrent.isDeny());
        assertTrue(concurrent.reasons().get(0).contains("max_concurrent_actions=1"));
    }

    @Test
    void cooldownPerResource() {
        CooldownPolicy p = new CooldownPolicy(config(Map.of("safety.cooldown", "10m")));
        var ctx = context(cluster(false, true), Map.of(), ledger);
        var rollback = action(ActionTypes.ROLLBACK_DEPLOYMENT, DEPLOYMENT, Map.of());
        applied("fp", ActionTypes.ROLLOUT_RESTART, DEPLOYMENT, Duration.ofMinutes(20), false, "applied");
        applied("fp", ActionTypes.ROLLOUT_RESTART, DEPLOYMENT, Duration.ofMinutes(3), false, "failed");
        assertTrue(p.evaluate(rollback, ctx).isAllow(), "failed actions changed nothing; the applied one is 20m old");
        applied("fp", ActionTypes.ROLLOUT_RESTART, DEPLOYMENT, Duration.ofMinutes(4), false, "applied");
        Verdict v = p.evaluate(rollback, ctx);
        assertTrue(v.isDeny());
        assertTrue(v.reasons().get(0).contains("cooling down until 2026-01-20T10:36:00Z"), v.reasons().toString());
        assertTrue(p.evaluate(action(ActionTypes.RESTART_POD, POD1, Map.of()), ctx).isAllow(), "another resource");
    }

    @Test
    void retryBudgetPerFingerprintEscalates() {
        RetryBudgetPolicy p = new RetryBudgetPolicy(config(Map.of("safety.retry_budget", "2", "safety.retry_window", "6h")));
        var ctx = context(cluster(false, true), Map.of(), ledger);
        String fp = incident().fingerprint();
        var restart = action(ActionTypes.RESTART_POD, POD1, Map.of());
        applied(fp, ActionTypes.RESTART_POD, ResourceRef.of("Pod", "default", "web-abc-0"), Duration.ofMinutes(30), false, "applied");
        applied(fp, ActionTypes.RESTART_POD, POD1, Duration.ofMinutes(20), true, "dry-run");
        applied("other-fp", ActionTypes.RESTART_POD, POD2, Duration.ofMinutes(20), false, "applied");
        assertTrue(p.evaluate(restart, ctx).isAllow(), "one real action so far for this fingerprint");
        applied(fp, ActionTypes.RESTART_POD, ResourceRef.of("Pod", "default", "web-abc-9"), Duration.ofMinutes(10), false, "applied");
        Verdict v = p.evaluate(restart, ctx);
        assertTrue(v.isDeny());
        assertTrue(v.reasons().get(0).startsWith(RetryBudgetPolicy.ESCALATE), v.reasons().toString());
        var planned = new io.kubeincident.api.PlannedAction(restart, v, io.kubeincident.api.Decision.DENIED,
                List.of("retry-budget: " + v.reasons().get(0)));
        assertTrue(RetryBudgetPolicy.escalates(planned));
        var later = context(incident(), cluster(false, true), Map.of(), ledger, Clock.fixed(NOW.plus(Duration.ofHours(7)), ZoneOffset.UTC));
        assertTrue(p.evaluate(restart, later).isAllow(), "the window has passed");
    }

    @Test
    void badSafetyConfigurationListsEveryProblem() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> config(Map.of("safety.max_replicas", "0", "safety.max_scale_factor", "0.5", "safety.cooldown", "soon",
                        "safety.max_memory", "lots", "safety.change_freeze.friday.cron", "0 18 * *",
                        "safety.change_freeze.friday.duration", "64h")));
        for (String key : List.of("max_replicas", "max_scale_factor", "cooldown", "max_memory", "change_freeze.friday")) {
            assertTrue(e.getMessage().contains("safety." + key), key + " in " + e.getMessage());
        }
        assertFalse(e.getMessage().isBlank());
        assertEquals(3, config(Map.of()).maxConcurrentActions());
    }
}

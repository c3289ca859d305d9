package io.kubeincident.core.safety;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Verdict;
import io.kubeincident.core.config.MapConfig;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.RemediationAction;
import io.kubernetes.client.common.KubernetesObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.kubeincident.core.safety.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamespaceAndSwitchPoliciesTest {

    private final ActionLedger ledger = new ActionLedger();

    @Test
    void systemNamespacesStayExcludedEvenWhenTheConfigListsOthers() {
        SafetyConfig cfg = config(Map.of("safety.excluded_namespaces", "payments", "runtime.namespace", "kube-incident"));
        ExcludedNamespacesPolicy p = new ExcludedNamespacesPolicy(cfg);
        for (String ns : List.of("kube-system", "kube-public", "kube-node-lease", "payments", "kube-incident")) {
            Verdict v = p.evaluate(action(ActionTypes.RESTART_POD, ResourceRef.of("Pod", ns, "x"), Map.of()),
                    context(cluster(false, true), Map.of(), ledger));
            assertInstanceOf(Verdict.Deny.class, v, ns);
            assertTrue(v.reasons().get(0).contains(ns));
        }
        assertTrue(p.evaluate(action(ActionTypes.RESTART_POD, POD1, Map.of()), context(cluster(false, true), Map.of(), ledger)).isAllow());
    }

    @Test
    void anIncidentInAnExcludedNamespaceIsNotActedOnEvenThroughACrossNamespaceTarget() {
        var incident = new io.kubeincident.api.Incident("i", "fp", "crash-loop", io.kubeincident.api.Severity.HIGH,
                ResourceRef.of("Deployment", "kube-system", "coredns"), null, null, io.kubeincident.api.IncidentState.OPEN, NOW, NOW);
        Verdict v = new ExcludedNamespacesPolicy(SafetyConfig.defaults()).evaluate(
                action(ActionTypes.CORDON_NODE, NODE1, Map.of()), context(incident, cluster(true, true), Map.of(), ledger, CLOCK));
        assertTrue(v.isDeny());
    }

    @Test
    void optOutLabelOnNamespaceOrWorkloadDenies() {
        OptOutPolicy p = new OptOutPolicy(SafetyConfig.defaults());
        List<KubernetesObject> objs = new ArrayList<>(cluster(false, true));
        objs.removeIf(o -> o instanceof io.kubernetes.client.openapi.models.V1Namespace);
        objs.add(namespace("default", Map.of("kube-incident.io/ignore", "true")));
        Verdict v = p.evaluate(action(ActionTypes.RESTART_POD, POD1, Map.of()), context(objs, Map.of(), ledger));
        assertTrue(v.isDeny());
        assertTrue(v.reasons().get(0).contains("namespace default"), v.reasons().toString());

        List<KubernetesObject> labelledDeployment = new ArrayList<>(cluster(false, true));
        labelledDeployment.removeIf(o -> o instanceof io.kubernetes.client.openapi.models.V1Deployment);
        var d = deployment(2);
        d.getMetadata().putLabelsItem("kube-incident.io/ignore", "true");
        labelledDeployment.add(d);
        Verdict onOwner = p.evaluate(action(ActionTypes.RESTART_POD, POD1, Map.of()), context(labelledDeployment, Map.of(), ledger));
        assertTrue(onOwner.isDeny(), "the pod's owning Deployment opted out");
        assertTrue(onOwner.reasons().get(0).contains("Deployment/default/web"));
    }

    @Test
    void optOutLabelSetToFalseOrAbsentAllows() {
        OptOutPolicy p = new OptOutPolicy(SafetyConfig.defaults());
        List<KubernetesObject> objs = new ArrayList<>(cluster(false, true));
        objs.removeIf(o -> o instanceof io.kubernetes.client.openapi.models.V1Namespace);
        objs.add(namespace("default", Map.of("kube-incident.io/ignore", "false")));
        assertTrue(p.evaluate(action(ActionTypes.RESTART_POD, POD1, Map.of()), context(objs, Map.of(), ledger)).isAllow());
    }

    @Test
    void enableSwitchesHaveSafeDefaultsAndCanBeTurnedOff() {
        ActionEnabledPolicy on = new ActionEnabledPolicy(new MapConfig(Map.of()));
        var ctx = context(cluster(false, true), Map.of(), ledger);
        assertTrue(on.evaluate(action(ActionTypes.RESTART_POD, POD1, Map.of()), ctx).isAllow());
        Verdict drain = on.evaluate(action(ActionTypes.DRAIN_NODE, NODE1, Map.of()), ctx);
        assertTrue(drain.isDeny(), "node drain is off unless enabled");
        assertTrue(drain.reasons().get(0).contains("remediation.enable_node_drain"));
        assertTrue(on.evaluate(action(ActionTypes.PATCH_SECRET, ResourceRef.of("Secret", "default", "s"), Map.of()), ctx).isDeny());

        ActionEnabledPolicy off = new ActionEnabledPolicy(new MapConfig(Map.of("remediation.enable_pod_restart", "false",
                "remediation.enable_node_drain", "true")));
        assertTrue(off.evaluate(action(ActionTypes.RESTART_POD, POD1, Map.of()), ctx).isDeny());
        assertTrue(off.evaluate(action(ActionTypes.DRAIN_NODE, NODE1, Map.of()), ctx).isAllow());
    }

    @Test
    void aSwitchThatIsNotABooleanDenies() {
        ActionEnabledPolicy p = new ActionEnabledPolicy(new MapConfig(Map.of("remediation.enable_scaling", "maybe")));
        Verdict v = p.evaluate(action(ActionTypes.SCALE, DEPLOYMENT, Map.of("replicas", 3)), context(cluster(false, true), Map.of(), ledger));
        assertTrue(v.isDeny());
        assertTrue(v.reasons().get(0).contains("not a boolean"), v.reasons().toString());
    }

    @Test
    void thirdPartyActionsBringTheirOwnSwitchThroughTheCatalog() {
        RemediationAction custom = new RemediationAction() {
            public String id() {
                return "flush-cache";
            }

            public String description() {
                return "flush";
            }

            public Set<String> targetKinds() {
                return Set.of("Deployment");
            }

            public String enableKey() {
                return "remediation.enable_cache_flush";
            }

            public ActionResult execute(ActionRequest r, ActionContext c) {
                return ActionResult.applied("ok");
            }
        };
        ActionEnabledPolicy p = new ActionEnabledPolicy(new MapConfig(Map.of("remediation.enable_cache_flush", "true")));
        var ctx = context(cluster(false, true), Map.of(), ledger);
        assertEquals("enable_flush_cache", p.keyOf("flush-cache"), "before the catalog: the switch named after the id");
        Verdict before = p.evaluate(action("flush-cache", DEPLOYMENT, Map.of()), ctx);
        assertTrue(before.isDeny(), "an action nothing switched on is off");
        assertTrue(before.reasons().get(0).contains("remediation.enable_flush_cache=false, the default"), before.reasons().toString());
        p.catalog(List.of(custom));
        assertEquals("enable_cache_flush", p.keyOf("flush-cache"));
        assertTrue(p.evaluate(action("flush-cache", DEPLOYMENT, Map.of()), ctx).isAllow(), "its own switch is on");
        assertTrue(new ActionEnabledPolicy(new MapConfig(Map.of("remediation.enable_flush_cache", "true")))
                .evaluate(action("flush-cache", DEPLOYMENT, Map.of()), ctx).isAllow(), "the derived switch turns it on");
    }

    @Test
    void blastRadiusAllowsTheIncidentsObjectsAndDeniesAnythingElse() {
        BlastRadiusPolicy p = new BlastRadiusPolicy();
        var ctx = context(cluster(false, true), Map.of(), ledger);
        assertTrue(p.evaluate(action(ActionTypes.RESTART_POD, POD1, Map.of()), ctx).isAllow());
        assertTrue(p.evaluate(action(ActionTypes.ROLLBACK_DEPLOYMENT, DEPLOYMENT, Map.of()), ctx).isAllow(), "root");
        assertTrue(p.evaluate(action(ActionTypes.CORDON_NODE, NODE1, Map.of()), ctx).isAllow(), "the pod's node");
        assertTrue(p.evaluate(action(ActionTypes.PATCH_CONFIGMAP, ResourceRef.of("ConfigMap", "default", "web-config"),
                Map.of()), ctx).isAllow(), "config the workload reads");

        for (ResourceRef outside : List.of(ResourceRef.of("Deployment", "payments", "web"),
                ResourceRef.of("Deployment", "default", "api"), ResourceRef.cluster("Node", "node-2"),
                ResourceRef.of("ConfigMap", "default", "other-config"), POD2)) {
            Verdict v = p.evaluate(action(ActionTypes.RESTART_POD, outside, Map.of()), ctx);
            assertTrue(v.isDeny(), outside.toString());
            assertTrue(v.reasons().get(0).contains("does not belong"), v.reasons().toString());
        }
    }
}

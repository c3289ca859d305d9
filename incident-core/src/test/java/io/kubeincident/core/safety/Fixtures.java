package io.kubeincident.core.safety;

import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.core.config.MapConfig;
import io.kubeincident.core.exec.EngineContexts;
import io.kubeincident.core.monitor.ObjectIndex;
import io.kubeincident.spi.ActionHistory;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1NodeSpec;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1ConfigMapVolumeSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A small cluster for policy tests: Deployment default/web (2 pods on node-1), nodes, namespaces. */
final class Fixtures {
    static final Instant NOW = Instant.parse("2026-01-20T10:30:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    static final ResourceRef DEPLOYMENT = new ResourceRef("Deployment", "default", "web", "d1");
    static final ResourceRef RS = new ResourceRef("ReplicaSet", "default", "web-abc", "rs1");
    static final ResourceRef POD1 = new ResourceRef("Pod", "default", "web-abc-1", "p1");
    static final ResourceRef POD2 = new ResourceRef("Pod", "default", "web-abc-2", "p2");
    static final ResourceRef NODE1 = ResourceRef.cluster("Node", "node-1");

    static V1Deployment deployment(int replicas) {
        return new V1Deployment().metadata(new V1ObjectMeta().name("web").namespace("default").uid("d1"))
                .spec(new V1DeploymentSpec().replicas(replicas)
                        .selector(new V1LabelSelector().putMatchLabelsItem("app", "web"))
                        .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().putLabelsItem("app", "web"))
                                .spec(new V1PodSpec().addContainersItem(new V1Container().name("app").image("web:1"))
                                        .addVolumesItem(new V1Volume().name("cfg").configMap(new V1ConfigMapVolumeSource().name("web-config"))))));
    }

    static V1ReplicaSet replicaSet() {
        return new V1ReplicaSet().metadata(new V1ObjectMeta().name("web-abc").namespace("default").uid("rs1")
                .addOwnerReferencesItem(new V1OwnerReference().kind("Deployment").name("web").uid("d1").controller(true)));
    }

    static V1Pod pod(String name, String uid, boolean ready, String node) {
        return new V1Pod().metadata(new V1ObjectMeta().name(name).namespace("default").uid(uid).putLabelsItem("app", "web")
                        .addOwnerReferencesItem(new V1OwnerReference().kind("ReplicaSet").name("web-abc").uid("rs1").controller(true)))
                .spec(new V1PodSpec().nodeName(node).addContainersItem(new V1Container().name("app").image("web:1")))
                .status(new V1PodStatus().phase("Running").addConditionsItem(
                        new V1PodCondition().type("Ready").status(ready ? "True" : "False")));
    }

    static V1Node node(String name, boolean ready, boolean schedulable) {
        return new V1Node().metadata(new V1ObjectMeta().name(name).uid(name + "-uid"))
                .spec(new V1NodeSpec().unschedulable(schedulable ? null : true))
                .status(new V1NodeStatus().addConditionsItem(new V1NodeCondition().type("Ready").status(ready ? "True" : "False")));
    }

    static V1Namespace namespace(String name, Map<String, String> labels) {
        return new V1Namespace().metadata(new V1ObjectMeta().name(name).labels(labels));
    }

    /** web with pod 1 crash-looping (not ready) and pod 2 ready, both on node-1; node-2 spare. */
    static List<KubernetesObject> cluster(boolean pod1Ready, boolean pod2Ready) {
        List<KubernetesObject> l = new ArrayList<>();
        l.add(deployment(2));
        l.add(replicaSet());
        l.add(pod("web-abc-1", "p1", pod1Ready, "node-1"));
        l.add(pod("web-abc-2", "p2", pod2Ready, "node-1"));
        l.add(node("node-1", true, true));
        l.add(node("node-2", true, true));
        l.add(namespace("default", Map.of()));
        return l;
    }

    static Incident incident() {
        return new Incident("crash-loop-1", "crash-loop:Deployment/default/web", "crash-loop", Severity.HIGH, DEPLOYMENT,
                List.of(DEPLOYMENT, POD1),
                List.of(new Finding("crash-loop", "crash-loop", Severity.HIGH, POD1, "crash", Map.of(), NOW)),
                IncidentState.OPEN, NOW, NOW);
    }

    static EngineContexts.Safety context(List<? extends KubernetesObject> objects, Map<String, String> config,
                                         ActionHistory history) {
        return context(incident(), objects, config, history, CLOCK);
    }

    static EngineContexts.Safety context(Incident incident, List<? extends KubernetesObject> objects, Map<String, String> config,
                                         ActionHistory history, Clock clock) {
        return new EngineContexts.Safety(incident, Map.of(), false, new ObjectIndex(objects), new MapConfig(config), clock, history);
    }

    static ProposedAction action(String type, ResourceRef target, Map<String, Object> params) {
        return new ProposedAction(type, target, params, 0.9, "test");
    }

    static SafetyConfig config(Map<String, String> values) {
        return SafetyConfig.from(new MapConfig(values));
    }

    private Fixtures() {
    }
}

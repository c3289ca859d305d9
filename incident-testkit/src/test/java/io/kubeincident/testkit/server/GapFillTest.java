package io.kubeincident.testkit.server;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.EventsV1Api;
import io.kubernetes.client.openapi.apis.PolicyV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.EventsV1Event;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Eviction;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LabelSelectorRequirement;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudgetSpec;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Scale;
import io.kubernetes.client.openapi.models.V1ScaleSpec;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetSpec;
import io.kubernetes.client.util.PatchUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.kubeincident.testkit.server.LoopbackKubeServerTest.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each gap of the plain mock that the loopback server fills, through client-java's own API classes. */
class GapFillTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    static V1Deployment deployment(String name, int replicas) {
        return new V1Deployment().metadata(new V1ObjectMeta().name(name).namespace("default"))
                .spec(new V1DeploymentSpec().replicas(replicas)
                        .selector(new V1LabelSelector().matchLabels(Map.of("app", name)))
                        .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(Map.of("app", name)))
                                .spec(new V1PodSpec().containers(List.of(new V1Container().name("app").image("app:1")
                                        .env(List.of(new V1EnvVar().name("A").value("1"), new V1EnvVar().name("B").value("2"))))))));
    }

    static V1Pod readyPod(String name, Map<String, String> labels, boolean ready) {
        V1Pod p = pod("default", name, labels, "n1", "Running");
        p.getStatus().setConditions(List.of(new V1PodCondition().type("Ready").status(ready ? "True" : "False")));
        return p;
    }

    private static List<String> names(V1PodList l) {
        return l.getItems().stream().map(p -> p.getMetadata().getName()).sorted().collect(Collectors.toList());
    }

    // ------------------------------------------------------------------ eviction

    /**
     * Like a real API server, eviction answers with a Status, which client-java's typed
     * {@code execute()} (declared to return V1Eviction) cannot parse: callers execute the call untyped.
     */
    static int evict(ApiClient client, String pod) throws ApiException {
        return client.execute(new CoreV1Api(client).createNamespacedPodEviction(pod, "default",
                new V1Eviction().metadata(new V1ObjectMeta().name(pod).namespace("default"))).buildCall(null)).getStatusCode();
    }

    @Test
    void evictionDeletesThePod(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespacedPod("default", readyPod("e1", Map.of("app", "web"), true)).execute();
        assertEquals(201, evict(client, "e1"));
        assertEquals(404, assertThrows(ApiException.class, () -> core.readNamespacedPod("e1", "default").execute()).getCode());
    }

    @Test
    void evictionOfAMissingPodIs404(ApiClient client) {
        ApiException e = assertThrows(ApiException.class, () -> evict(client, "ghost"));
        assertEquals(404, e.getCode());
    }

    @Test
    void evictionForbiddenByABudgetIs429AndKeepsThePod(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespacedPod("default", readyPod("w1", Map.of("app", "web"), true)).execute();
        core.createNamespacedPod("default", readyPod("w2", Map.of("app", "web"), true)).execute();
        new PolicyV1Api(client).createNamespacedPodDisruptionBudget("default", new V1PodDisruptionBudget()
                .metadata(new V1ObjectMeta().name("web-pdb"))
                .spec(new V1PodDisruptionBudgetSpec().minAvailable(new IntOrString(2))
                        .selector(new V1LabelSelector().matchLabels(Map.of("app", "web"))))).execute();
        ApiException e = assertThrows(ApiException.class, () -> evict(client, "w1"));
        assertEquals(429, e.getCode());
        assertTrue(e.getResponseBody().contains("web-pdb"), e.getResponseBody());
        core.readNamespacedPod("w1", "default").execute();
    }

    @Test
    void evictionAllowedWhenTheBudgetHasRoom(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespacedPod("default", readyPod("w1", Map.of("app", "web"), true)).execute();
        core.createNamespacedPod("default", readyPod("w2", Map.of("app", "web"), true)).execute();
        core.createNamespacedPod("default", readyPod("other", Map.of("app", "db"), true)).execute();
        new PolicyV1Api(client).createNamespacedPodDisruptionBudget("default", new V1PodDisruptionBudget()
                .metadata(new V1ObjectMeta().name("web-pdb"))
                .spec(new V1PodDisruptionBudgetSpec().maxUnavailable(new IntOrString("50%"))
                        .selector(new V1LabelSelector().matchLabels(Map.of("app", "web"))))).execute();
        evict(client, "w1");
        // now 1 of 1 healthy with 50% unavailable allowed -> desired 0: still allowed; an unready pod with a broken budget is not
        assertEquals(List.of("other", "w2"), names(core.listNamespacedPod("default").execute()));
    }

    @Test
    void dryRunEvictionChecksButKeepsThePod(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespacedPod("default", readyPod("d1", Map.of("app", "web"), true)).execute();
        client.execute(new CoreV1Api(client).createNamespacedPodEviction("d1", "default",
                new V1Eviction().metadata(new V1ObjectMeta().name("d1").namespace("default"))).dryRun("All").buildCall(null));
        core.readNamespacedPod("d1", "default").execute();
    }

    // ------------------------------------------------------------------ scale

    @Test
    void scaleSubresourceReadsAndWritesSpecReplicas(ApiClient client) throws Exception {
        AppsV1Api apps = new AppsV1Api(client);
        apps.createNamespacedDeployment("default", deployment("web", 3)).execute();
        V1Scale scale = apps.readNamespacedDeploymentScale("web", "default").execute();
        assertEquals("Scale", scale.getKind());
        assertEquals(3, scale.getSpec().getReplicas());
        assertEquals("app=web", scale.getStatus().getSelector());

        scale.setSpec(new V1ScaleSpec().replicas(5));
        assertEquals(5, apps.replaceNamespacedDeploymentScale("web", "default", scale).execute().getSpec().getReplicas());
        V1Deployment d = apps.readNamespacedDeployment("web", "default").execute();
        assertEquals(5, d.getSpec().getReplicas());
        assertEquals("app:1", d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage(), "the rest of the Deployment is kept");

        V1Scale patched = PatchUtils.patch(V1Scale.class, () -> apps.patchNamespacedDeploymentScale("web", "default",
                new V1Patch("{\"spec\":{\"replicas\":1}}")).buildCall(null), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
        assertEquals(1, patched.getSpec().getReplicas());
        assertEquals(1, apps.readNamespacedDeployment("web", "default").execute().getSpec().getReplicas());
    }

    @Test
    void scaleWorksForStatefulSetsAndRejectsNegativeReplicas(ApiClient client) throws Exception {
        AppsV1Api apps = new AppsV1Api(client);
        apps.createNamespacedStatefulSet("default", new V1StatefulSet().metadata(new V1ObjectMeta().name("db"))
                .spec(new V1StatefulSetSpec().replicas(2).serviceName("db")
                        .selector(new V1LabelSelector().matchLabels(Map.of("app", "db")))
                        .template(new V1PodTemplateSpec().spec(new V1PodSpec().containers(List.of()))))).execute();
        V1Scale s = PatchUtils.patch(V1Scale.class, () -> apps.patchNamespacedStatefulSetScale("db", "default",
                new V1Patch("{\"spec\":{\"replicas\":4}}")).buildCall(null), V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, client);
        assertEquals(4, s.getSpec().getReplicas());
        ApiException e = assertThrows(ApiException.class, () -> PatchUtils.patch(V1Scale.class,
                () -> apps.patchNamespacedStatefulSetScale("db", "default", new V1Patch("{\"spec\":{\"replicas\":-1}}")).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
        assertEquals(422, e.getCode());
        assertEquals(404, assertThrows(ApiException.class,
                () -> apps.readNamespacedReplicaSetScale("nope", "default").execute()).getCode());
    }

    @Test
    void dryRunScaleChangesNothing(ApiClient client) throws Exception {
        AppsV1Api apps = new AppsV1Api(client);
        apps.createNamespacedDeployment("default", deployment("web", 3)).execute();
        V1Scale s = apps.readNamespacedDeploymentScale("web", "default").execute();
        s.getSpec().setReplicas(0);
        assertEquals(0, apps.replaceNamespacedDeploymentScale("web", "default", s).dryRun("All").execute().getSpec().getReplicas());
        assertEquals(3, apps.readNamespacedDeployment("web", "default").execute().getSpec().getReplicas());
    }

    // ------------------------------------------------------------------ patches

    @Test
    void mergePatchReplacesArraysAndDeletesNullKeys(ApiClient client) throws Exception {
        AppsV1Api apps = new AppsV1Api(client);
        V1Deployment d = deployment("web", 2);
        d.getMetadata().setAnnotations(Map.of("keep", "1", "drop", "2"));
        apps.createNamespacedDeployment("default", d).execute();
        String patch = "{\"metadata\":{\"annotations\":{\"drop\":null}},\"spec\":{\"template\":{\"spec\":{\"containers\":"
                + "[{\"name\":\"app\",\"image\":\"app:2\"}]}}}}";
        V1Deployment out = PatchUtils.patch(V1Deployment.class, () -> apps.patchNamespacedDeployment("web", "default",
                new V1Patch(patch)).buildCall(null), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
        assertEquals(Map.of("keep", "1"), out.getMetadata().getAnnotations());
        V1Container c = out.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(1, out.getSpec().getTemplate().getSpec().getContainers().size());
        assertEquals("app:2", c.getImage());
        assertTrue(c.getEnv() == null || c.getEnv().isEmpty(), "merge patch replaces the whole container list");
    }

    @Test
    void strategicMergePatchMergesNamedLists(ApiClient client) throws Exception {
        AppsV1Api apps = new AppsV1Api(client);
        apps.createNamespacedDeployment("default", deployment("web", 2)).execute();
        String patch = "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\"now\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"app:2\",\"env\":[{\"name\":\"B\",\"value\":\"22\"},"
                + "{\"name\":\"C\",\"value\":\"3\"}]}]}}}}";
        V1Deployment out = PatchUtils.patch(V1Deployment.class, () -> apps.patchNamespacedDeployment("web", "default",
                new V1Patch(patch)).buildCall(null), V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, client);
        V1Container c = out.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("app:2", c.getImage());
        assertEquals(Map.of("A", "1", "B", "22", "C", "3"),
                c.getEnv().stream().collect(Collectors.toMap(V1EnvVar::getName, V1EnvVar::getValue)));
        assertEquals("now", out.getSpec().getTemplate().getMetadata().getAnnotations().get("kubectl.kubernetes.io/restartedAt"));
        assertEquals(Map.of("app", "web"), out.getSpec().getTemplate().getMetadata().getLabels());
    }

    @Test
    void applyPatchWithAJsonBodyCreatesThenMerges(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        String cm = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\",\"namespace\":\"default\"},"
                + "\"data\":{\"a\":\"1\"}}";
        PatchUtils.patch(V1ConfigMap.class, () -> core.patchNamespacedConfigMap("cfg", "default", new V1Patch(cm))
                .fieldManager("kit").force(true).buildCall(null), V1Patch.PATCH_FORMAT_APPLY_YAML, client);
        String again = cm.replace("\"a\":\"1\"", "\"b\":\"2\"");
        V1ConfigMap out = PatchUtils.patch(V1ConfigMap.class, () -> core.patchNamespacedConfigMap("cfg", "default", new V1Patch(again))
                .fieldManager("kit").force(true).buildCall(null), V1Patch.PATCH_FORMAT_APPLY_YAML, client);
        assertEquals(Map.of("a", "1", "b", "2"), out.getData());
    }

    @Test
    void jsonPatchAndStatusPatch(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespacedPod("default", pod("default", "p", Map.of("app", "web"), "n1", "Pending")).execute();
        V1Pod out = PatchUtils.patch(V1Pod.class, () -> core.patchNamespacedPod("p", "default",
                new V1Patch("[{\"op\":\"add\",\"path\":\"/metadata/labels/tier\",\"value\":\"front\"}]")).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_PATCH, client);
        assertEquals(Map.of("app", "web", "tier", "front"), out.getMetadata().getLabels());
        V1Pod st = PatchUtils.patch(V1Pod.class, () -> core.patchNamespacedPodStatus("p", "default",
                new V1Patch("{\"status\":{\"phase\":\"Running\"}}")).buildCall(null), V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, client);
        assertEquals("Running", st.getStatus().getPhase());
        assertEquals("Running", core.readNamespacedPod("p", "default").execute().getStatus().getPhase());
    }

    @Test
    void badPatchesAreClearErrors(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespacedPod("default", pod("default", "p", Map.of(), "n1", "Pending")).execute();
        ApiException bad = assertThrows(ApiException.class, () -> PatchUtils.patch(V1Pod.class, () -> core.patchNamespacedPod("p", "default",
                new V1Patch("[{\"op\":\"remove\",\"path\":\"/metadata/nothing\"}]")).buildCall(null), V1Patch.PATCH_FORMAT_JSON_PATCH, client));
        assertEquals(400, bad.getCode());
        ApiException missing = assertThrows(ApiException.class, () -> PatchUtils.patch(V1Pod.class, () -> core.patchNamespacedPod("nope", "default",
                new V1Patch("{}")).buildCall(null), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
        assertEquals(404, missing.getCode());
        ApiException stale = assertThrows(ApiException.class, () -> PatchUtils.patch(V1Pod.class, () -> core.patchNamespacedPod("p", "default",
                new V1Patch("{\"metadata\":{\"resourceVersion\":\"1\"}}")).buildCall(null), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
        assertEquals(409, stale.getCode());
    }

    // ------------------------------------------------------------------ selectors

    @Test
    void setBasedLabelSelectors(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespacedPod("default", pod("default", "a", Map.of("app", "web", "tier", "front"), "n1", "Running")).execute();
        core.createNamespacedPod("default", pod("default", "b", Map.of("app", "db"), "n1", "Running")).execute();
        core.createNamespacedPod("default", pod("default", "c", Map.of("app", "cache", "tier", "back"), "n2", "Running")).execute();
        assertEquals(List.of("a", "b"), names(core.listNamespacedPod("default").labelSelector("app in (web,db)").execute()));
        assertEquals(List.of("c"), names(core.listNamespacedPod("default").labelSelector("app notin (web,db)").execute()));
        assertEquals(List.of("a", "c"), names(core.listNamespacedPod("default").labelSelector("tier").execute()));
        assertEquals(List.of("b"), names(core.listNamespacedPod("default").labelSelector("!tier").execute()));
        assertEquals(List.of("c"), names(core.listNamespacedPod("default").labelSelector("tier,app!=web").execute()));
        assertEquals(List.of("a"), names(core.listNamespacedPod("default").labelSelector("app=web,tier in (front)").execute()));
    }

    @Test
    void invalidSelectorIsABadRequest(ApiClient client) {
        ApiException e = assertThrows(ApiException.class,
                () -> new CoreV1Api(client).listNamespacedPod("default").labelSelector("app in web").execute());
        assertEquals(400, e.getCode());
    }

    @Test
    void fieldSelectors(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespacedPod("default", pod("default", "a", Map.of(), "n1", "Running")).execute();
        core.createNamespacedPod("default", pod("default", "b", Map.of(), "n2", "Pending")).execute();
        core.createNamespacedPod("other", pod("other", "c", Map.of(), "n1", "Failed")).execute();
        core.createNamespacedPod("default", pod("default", "u", Map.of(), null, "Pending")).execute();
        assertEquals(List.of("a", "c"), names(core.listPodForAllNamespaces().fieldSelector("spec.nodeName=n1").execute()));
        assertEquals(List.of("b", "u"), names(core.listPodForAllNamespaces().fieldSelector("status.phase=Pending").execute()));
        assertEquals(List.of("u"), names(core.listPodForAllNamespaces().fieldSelector("spec.nodeName=").execute()));
        assertEquals(List.of("b"), names(core.listPodForAllNamespaces().fieldSelector("metadata.name=b").execute()));
        assertEquals(List.of("c"), names(core.listPodForAllNamespaces().fieldSelector("metadata.namespace=other").execute()));
        assertEquals(List.of("b", "c", "u"), names(core.listPodForAllNamespaces().fieldSelector("status.phase!=Running").execute()));
    }

    @Test
    void eventFieldSelectorsOnInvolvedObject(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        for (String[] e : List.of(new String[]{"e1", "Pod", "web-1", "u-1"}, new String[]{"e2", "Pod", "web-2", "u-2"},
                new String[]{"e3", "Node", "n1", "u-3"})) {
            core.createNamespacedEvent("default", new CoreV1Event().metadata(new V1ObjectMeta().name(e[0]))
                    .involvedObject(new V1ObjectReference().kind(e[1]).name(e[2]).uid(e[3]).namespace("default"))
                    .reason("BackOff").message("m").type("Warning")).execute();
        }
        assertEquals(List.of("e2"), core.listNamespacedEvent("default").fieldSelector("involvedObject.uid=u-2").execute()
                .getItems().stream().map(x -> x.getMetadata().getName()).toList());
        assertEquals(List.of("e1", "e2"), core.listNamespacedEvent("default").fieldSelector("involvedObject.kind=Pod").execute()
                .getItems().stream().map(x -> x.getMetadata().getName()).sorted().toList());
        assertEquals(List.of("e3"), core.listNamespacedEvent("default").fieldSelector("involvedObject.name=n1,involvedObject.kind=Node")
                .execute().getItems().stream().map(x -> x.getMetadata().getName()).toList());
    }

    @Test
    void coreAndEventsGroupEventsDoNotMix(ApiClient client) throws Exception {
        new EventsV1Api(client).createNamespacedEvent("default", new EventsV1Event().metadata(new V1ObjectMeta().name("new-style"))
                .eventTime(OffsetDateTime.now()).reason("X").note("n").type("Normal").action("A")
                .reportingController("c").reportingInstance("i")).execute();
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespacedEvent("default", new CoreV1Event().metadata(new V1ObjectMeta().name("old-style"))
                .involvedObject(new V1ObjectReference().kind("Pod").name("p")).reason("Y").message("m")).execute();
        assertEquals(List.of("old-style"), core.listNamespacedEvent("default").execute().getItems().stream()
                .map(x -> x.getMetadata().getName()).toList());
        assertEquals(List.of("new-style"), new EventsV1Api(client).listNamespacedEvent("default").execute().getItems().stream()
                .map(x -> x.getMetadata().getName()).toList());
    }

    @Test
    void limitAndContinuePage(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        for (int i = 0; i < 5; i++) core.createNamespacedPod("default", pod("default", "p" + i, Map.of(), "n1", "Running")).execute();
        V1PodList first = core.listNamespacedPod("default").limit(2).execute();
        assertEquals(List.of("p0", "p1"), names(first));
        V1PodList second = core.listNamespacedPod("default").limit(2)._continue(first.getMetadata().getContinue()).execute();
        assertEquals(List.of("p2", "p3"), names(second));
        V1PodList last = core.listNamespacedPod("default").limit(2)._continue(second.getMetadata().getContinue()).execute();
        assertEquals(List.of("p4"), names(last));
        assertNull(last.getMetadata().getContinue());
    }

    @Test
    void deleteCollectionHonoursSetBasedSelectors(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespacedPod("default", pod("default", "a", Map.of("app", "web"), "n1", "Running")).execute();
        core.createNamespacedPod("default", pod("default", "b", Map.of("app", "db"), "n1", "Running")).execute();
        core.deleteCollectionNamespacedPod("default").labelSelector("app in (web)").execute();
        assertEquals(List.of("b"), names(core.listNamespacedPod("default").execute()));
    }

    // ------------------------------------------------------------------ dry run

    @Test
    void dryRunPersistsNothing(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        V1Pod created = core.createNamespacedPod("default", pod("default", "dry", Map.of("app", "web"), "n1", "Running"))
                .dryRun("All").execute();
        assertEquals("dry", created.getMetadata().getName());
        assertTrue(core.listNamespacedPod("default").execute().getItems().isEmpty());

        V1Pod real = core.createNamespacedPod("default", pod("default", "real", Map.of("app", "web"), "n1", "Running")).execute();
        String rv = real.getMetadata().getResourceVersion();
        real.getMetadata().setLabels(Map.of("app", "changed"));
        assertEquals("changed", core.replaceNamespacedPod("real", "default", real).dryRun("All").execute().getMetadata().getLabels().get("app"));
        V1Pod patched = PatchUtils.patch(V1Pod.class, () -> core.patchNamespacedPod("real", "default",
                new V1Patch("{\"metadata\":{\"labels\":{\"x\":\"y\"}}}")).dryRun("All").buildCall(null), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
        assertEquals("y", patched.getMetadata().getLabels().get("x"));
        core.deleteNamespacedPod("real", "default").dryRun("All").execute();

        V1Pod after = core.readNamespacedPod("real", "default").execute();
        assertEquals(rv, after.getMetadata().getResourceVersion());
        assertEquals(Map.of("app", "web"), after.getMetadata().getLabels());
        assertEquals(409, assertThrows(ApiException.class, () -> core.createNamespacedPod("default",
                pod("default", "real", Map.of(), null, null)).dryRun("All").execute()).getCode());
        assertEquals(404, assertThrows(ApiException.class, () -> core.deleteNamespacedPod("ghost", "default").dryRun("All").execute()).getCode());
        assertFalse(core.listNamespacedPod("default").execute().getItems().stream().anyMatch(p -> p.getMetadata().getName().equals("dry")));
    }

    @Test
    void labelSelectorOnDeploymentSelectorMatchExpressions(ApiClient client) throws Exception {
        // matchExpressions in a PDB selector are honoured by eviction.
        CoreV1Api core = new CoreV1Api(client);
        core.createNamespacedPod("default", readyPod("x1", Map.of("app", "x"), true)).execute();
        new PolicyV1Api(client).createNamespacedPodDisruptionBudget("default", new V1PodDisruptionBudget()
                .metadata(new V1ObjectMeta().name("x-pdb"))
                .spec(new V1PodDisruptionBudgetSpec().minAvailable(new IntOrString(1))
                        .selector(new V1LabelSelector().matchExpressions(List.of(new V1LabelSelectorRequirement()
                                .key("app").operator("In").values(List.of("x"))))))).execute();
        assertEquals(429, assertThrows(ApiException.class, () -> evict(client, "x1")).getCode());
    }
}

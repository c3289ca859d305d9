package io.kubeincident.responder;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.AuditRecord;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.access.EngineRbac;
import io.kubeincident.core.audit.InMemoryAuditSink;
import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.responder.demo.DemoCluster;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.NodeBuilder;
import io.kubeincident.testkit.scenario.PodBuilder;
import io.kubeincident.testkit.server.LoopbackKubeServer;
import io.kubeincident.testkit.server.RbacDecision;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.AutoscalingV2Api;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1DaemonSetSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetSpec;
import io.kubernetes.client.openapi.models.V2CrossVersionObjectReference;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerSpec;
import io.kubeincident.testkit.Await;
import java.time.Duration;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ConfigMapEnvSource;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvFromSource;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.util.PatchUtils;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RBAC the responder ships (and derives) against what the engine really does, on a loopback API
 * server that enforces it as a real cluster would: the engine runs as the responder's service account,
 * and every request the rules do not grant is refused there and fails the test.
 * <ul>
 *   <li>the default configuration under deploy/rbac.yaml verbatim, handling the demo's incidents and a
 *       workload that reads a ConfigMap;</li>
 *   <li>each action, switched on in the deployed configuration, executed under exactly what
 *       {@code responder rbac} prints for that configuration;</li>
 *   <li>last, every permission those roles grant that no request used.</li>
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RbacCoverageTest {
    /** The responder's deploy manifests, beside this module (the demo is its own module, examples/demo). */
    private static final Path DEPLOY = Path.of("../responder/deploy");

    static List<JsonNode> yamlDocs(Path file) throws java.io.IOException {
        com.fasterxml.jackson.databind.ObjectMapper yaml = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        List<JsonNode> docs = new java.util.ArrayList<>();
        try (var p = new com.fasterxml.jackson.dataformat.yaml.YAMLFactory().createParser(Files.readString(file))) {
            var it = yaml.readValues(p, JsonNode.class);
            while (it.hasNext()) docs.add(it.next());
        }
        return docs;
    }

    static final String NAMESPACE = "kube-incident";
    static final String SERVICE_ACCOUNT = "kube-incident-responder";

    /** "verb group/resource" granted by the roles of any scenario, and used by an allowed request of any. */
    private static final Set<String> GRANTED = new TreeSet<>();
    private static final Set<String> USED = new TreeSet<>();
    private static final Set<String> ACTIONS_RUN = new TreeSet<>();

    /**
     * Granted but not used by these scenarios, each for a reason; the last test fails when one of them gets
     * used (the list is stale) or when another permission goes unused.
     */
    private static final Map<String, String> UNUSED_ON_PURPOSE = Map.of(
            "get coordination.k8s.io/leases", "leader election: ResponderTest runs it under the same Role",
            "create coordination.k8s.io/leases", "leader election: ResponderTest runs it under the same Role",
            "update coordination.k8s.io/leases", "leader election: ResponderTest runs it under the same Role",
            "watch endpoints", "informers watch Endpoints only where EndpointSlices are not served (the snapshot lists both)");

    @TempDir
    Path dir;

    private static String deployedConfigYaml() throws Exception {
        return yamlDocs(DEPLOY.resolve("configmap.yaml")).get(0).at("/data/config.yaml").asText();
    }

    private ResponderConfig config(String yaml) throws Exception {
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, yaml);
        return ResponderConfig.load(f, null, Map.of(), Map.of("audit.file", "")).validated();
    }

    /** Roles and bindings as the test grants them, and what they grant, for the unused-permission test. */
    private static void granted(String rbacYaml) throws Exception {
        Path tmp = Files.createTempFile("rbac", ".yaml");
        try {
            Files.writeString(tmp, rbacYaml);
            for (var d : RbacTest.yamlDocs(tmp)) {
                for (var rule : d.path("rules")) {
                    for (var g : rule.path("apiGroups")) for (var r : rule.path("resources")) for (var v : rule.path("verbs")) {
                        GRANTED.add(v.asText() + " " + (g.asText().isEmpty() ? "" : g.asText() + "/") + r.asText());
                    }
                }
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void used(LoopbackKubeServer server) {
        List<RbacDecision> denied = server.rbacDenials();
        assertTrue(denied.isEmpty(), "requests the RBAC in force does not grant:\n"
                + String.join("\n", denied.stream().map(RbacDecision::toString).toList()));
        for (RbacDecision d : server.rbacDecisions()) {
            if (d.resourceRequest()) USED.add(d.verb() + " " + (d.apiGroup().isEmpty() ? "" : d.apiGroup() + "/") + d.combinedResource());
        }
    }

    @Test
    @Order(1)
    void theShippedRbacGrantsEverythingTheDefaultConfigurationDoes() throws Exception {
        String shipped = Files.readString(DEPLOY.resolve("rbac.yaml"));
        granted(shipped);
        ResponderConfig config = config(deployedConfigYaml());
        InMemoryAuditSink audit = new InMemoryAuditSink();
        try (DemoCluster cluster = DemoCluster.start(false)) {
            ApiClient admin = cluster.apiClient();
            // A workload that reads a ConfigMap, changed since the pod started: evidence reads its metadata.
            new CoreV1Api(admin).createNamespacedConfigMap("default", new V1ConfigMap()
                    .metadata(new V1ObjectMeta().name("api-config")).putDataItem("MODE", "strict")).execute();
            PodBuilder.pod("default", "api").spec(new V1PodSpec().addContainersItem(new V1Container().name("api").image("api:1")
                            .addEnvFromItem(new V1EnvFromSource().configMapRef(new V1ConfigMapEnvSource().name("api-config")))))
                    .container("api").image("api:1").age(java.time.Duration.ofHours(2)).crashLoopBackOff(4).create(admin);
            ApiClient client = cluster.underRbac(shipped, NAMESPACE, SERVICE_ACCOUNT);
            try (IncidentEngine engine = EngineFactory.build(config, client, b -> b.auditSink(audit).logAudit(false))) {
                engine.scan();
                for (int i = 0; i < 3; i++) engine.runOnce();
            }
            // Continuous mode as `responder run` has it: informers list and watch every kind.
            try (IncidentEngine engine = EngineFactory.build(config, client, b -> b.logAudit(false))) {
                engine.start();
                Await.until(Duration.ofSeconds(20), engine::isReady, "the informer caches to sync under deploy/rbac.yaml");
                // An informer opens its watch after its first list: wait for those watches before stopping.
                Await.until(Duration.ofSeconds(20), () -> {
                    Set<String> listed = new TreeSet<>();
                    Set<String> watched = new TreeSet<>();
                    for (RbacDecision d : cluster.rbacDecisions()) {
                        if (d.verb().equals("list")) listed.add(d.apiGroup() + "/" + d.resource());
                        if (d.verb().equals("watch")) watched.add(d.apiGroup() + "/" + d.resource());
                    }
                    listed.remove("/endpoints");  // listed by snapshots, watched only where EndpointSlices are not served
                    return watched.containsAll(listed);
                }, "a watch of every listed kind");
            }
            List<RbacDecision> decisions = cluster.rbacDecisions();
            assertTrue(decisions.stream().anyMatch(d -> d.verb().equals("patch") && d.allowed()),
                    "the engine acted (a rollback), so writes are covered too: " + decisions);
            assertTrue(decisions.stream().anyMatch(d -> d.verb().equals("get") && "configmaps".equals(d.resource())
                    && "api-config".equals(d.name())), "evidence read the ConfigMap's metadata: " + decisions);
            assertTrue(decisions.stream().allMatch(RbacDecision::allowed), "refused under deploy/rbac.yaml:\n"
                    + String.join("\n", decisions.stream().filter(d -> !d.allowed()).map(RbacDecision::toString).toList()));
            decisions.stream().filter(RbacDecision::resourceRequest).forEach(d -> USED.add(
                    d.verb() + " " + (d.apiGroup().isEmpty() ? "" : d.apiGroup() + "/") + d.combinedResource()));
            audit.withStep("outcome").forEach(r -> ACTIONS_RUN.add(String.valueOf(r.field("action"))));
        }
    }

    /** An analyzer that proposes one action on one target, whatever the incident. */
    private static Analyzer proposing(String action, ResourceRef target, Map<String, Object> params) {
        return new Analyzer() {
            @Override
            public String id() {
                return "rbac-coverage";
            }

            @Override
            public int priority() {
                return 1000;
            }

            @Override
            public AnalysisOutcome analyze(AnalysisRequest request) {
                return AnalysisOutcome.diagnosed(new Diagnosis("coverage", "run " + action, "coverage test", 0.95, id(),
                        List.of(new ProposedAction(action, target, params, 0.95, "exercise " + action)), Map.of()));
            }
        };
    }

    /**
     * One action, its switch on in the deployed configuration, under the ClusterRole and Role that
     * {@code responder rbac} prints for that configuration (and the bindings of deploy/rbac.yaml).
     */
    @ParameterizedTest(name = "{0} ({2}) with {1} on")
    @Order(2)
    @CsvSource({
            "restart-pod,          enable_pod_restart,     Pod",
            "rollout-restart,      enable_pod_restart,     Deployment",
            "rollout-restart,      enable_pod_restart,     StatefulSet",
            "rollout-restart,      enable_pod_restart,     DaemonSet",
            "scale,                enable_scaling,         Deployment",
            "scale,                enable_scaling,         HorizontalPodAutoscaler",
            "rollback-deployment,  enable_rollback,        Deployment",
            "adjust-resources,     enable_resource_update, Deployment",
            "patch-configmap,      enable_config_update,   ConfigMap",
            "patch-secret,         enable_secret_update,   Secret",
            "cordon-node,          enable_node_drain,      Node",
            "drain-node,           enable_node_drain,      Node"})
    void eachActionRunsUnderExactlyWhatResponderRbacPrintsForItsSwitch(String action, String key, String on) throws Exception {
        String yaml = deployedConfigYaml();
        String line = key + ": false";
        if (yaml.contains(line)) yaml = yaml.replace(line, key + ": true");
        assertTrue(yaml.contains(key + ": true"), "the deployed configuration has the switch " + key);
        Path cfg = dir.resolve("config.yaml");
        Files.writeString(cfg, yaml);
        Cli printed = Cli.run("rbac", "--config", cfg.toString(), "--name", SERVICE_ACCOUNT, "--namespace", NAMESPACE);
        assertEquals(ExitCodes.OK, printed.exitCode(), printed.err());
        String rbac = printed.out() + "---\n" + EngineRbac.bindingsYaml(SERVICE_ACCOUNT, NAMESPACE);
        granted(rbac);

        ResponderConfig config = config(yaml);
        InMemoryAuditSink audit = new InMemoryAuditSink();
        try (LoopbackKubeServer server = LoopbackKubeServer.start()) {
            ApiClient admin = server.apiClient();
            Map<String, ResourceRef> targets = seed(admin);
            ResourceRef target = switch (on) {
                case "StatefulSet", "DaemonSet" -> ownerOfACrashLoopingPod(admin, on);
                case "HorizontalPodAutoscaler" -> {
                    // The HPA owns the count: scale raises its floor (list and patch of HPAs).
                    new AutoscalingV2Api(admin).createNamespacedHorizontalPodAutoscaler("shop", new V2HorizontalPodAutoscaler()
                            .metadata(new V1ObjectMeta().name("web")).spec(new V2HorizontalPodAutoscalerSpec().minReplicas(3)
                                    .maxReplicas(10).scaleTargetRef(new V2CrossVersionObjectReference().apiVersion("apps/v1")
                                            .kind("Deployment").name("web")))).execute();
                    yield targets.get(action);
                }
                default -> targets.get(action);
            };
            assertEquals(on, target.kind().equals("Deployment") && on.equals("HorizontalPodAutoscaler") ? on : target.kind());
            server.loadRbac(rbac);
            server.enforceRbac();
            Map<String, Object> params = switch (action) {
                case "scale" -> Map.of("replicas", 5);
                case "adjust-resources" -> Map.of("resource", "memory", "factor", 1.5);
                case "patch-configmap" -> Map.of("data", Map.of("LOG_LEVEL", "debug"), "rollConsumers", true);
                case "patch-secret" -> Map.of("data", Map.of("TOKEN", "rotated"), "rollConsumers", true);
                default -> Map.of();
            };
            try (IncidentEngine engine = EngineFactory.build(config, server.apiClientAs(NAMESPACE, SERVICE_ACCOUNT),
                    b -> b.addAnalyzer(proposing(action, target, params)).auditSink(audit).logAudit(false))) {
                for (int i = 0; i < 3 && audit.withStep("outcome").isEmpty(); i++) {
                    engine.runOnce();
                    engine.pendingApprovals().forEach(p -> engine.approve(p.id(), "rbac-coverage@example.com"));
                }
            }
            List<AuditRecord> outcomes = audit.withStep("outcome").stream().filter(r -> action.equals(r.field("action"))).toList();
            assertFalse(outcomes.isEmpty(), action + " did not run: " + audit.records());
            assertEquals("applied", outcomes.get(0).field("result"), action + ": " + outcomes.get(0).fields());
            used(server);
            ACTIONS_RUN.add(action);
        }
    }

    /**
     * Three Ready nodes; in shop a Deployment web (revision 1 healthy, revision 2 crash-looping on node-1) that
     * reads ConfigMap web-config and Secret web-secret. Returns the target of each action.
     */
    private static Map<String, ResourceRef> seed(ApiClient admin) throws Exception {
        CoreV1Api core = new CoreV1Api(admin);
        for (String n : List.of("node-1", "node-2", "node-3")) NodeBuilder.node(n).ready().create(admin);
        core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("shop"))).execute();
        core.createNamespacedConfigMap("shop", new V1ConfigMap().metadata(new V1ObjectMeta().name("web-config"))
                .putDataItem("LOG_LEVEL", "info")).execute();
        core.createNamespacedSecret("shop", new V1Secret().metadata(new V1ObjectMeta().name("web-secret"))
                .putStringDataItem("TOKEN", "old")).execute();
        // Three healthy replicas of revision 1, one per node: draining node-1 leaves two.
        var web = DeploymentBuilder.deployment("shop", "web").replicas(3).image("web:1")
                .rollout("web:2", p -> p.node("node-1").crashLoopBackOff(5)).create(admin);
        String refs = "[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/envFrom\",\"value\":["
                + "{\"configMapRef\":{\"name\":\"web-config\"}},{\"secretRef\":{\"name\":\"web-secret\"}}]},"
                + "{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/resources\",\"value\":"
                + "{\"limits\":{\"memory\":\"128Mi\"},\"requests\":{\"memory\":\"128Mi\"}}}]";
        PatchUtils.patch(io.kubernetes.client.openapi.models.V1Deployment.class,
                () -> new AppsV1Api(admin).patchNamespacedDeployment("web", "shop", new V1Patch(refs)).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_PATCH, admin);
        String pod = web.pods().stream().filter(p -> "node-1".equals(p.getSpec().getNodeName())).findFirst().orElseThrow()
                .getMetadata().getName();
        ResourceRef deployment = ResourceRef.of("Deployment", "shop", "web");
        Map<String, ResourceRef> t = new LinkedHashMap<>();
        t.put("restart-pod", ResourceRef.of("Pod", "shop", pod));
        for (String a : List.of("rollout-restart", "scale", "rollback-deployment", "adjust-resources")) t.put(a, deployment);
        t.put("patch-configmap", ResourceRef.of("ConfigMap", "shop", "web-config"));
        t.put("patch-secret", ResourceRef.of("Secret", "shop", "web-secret"));
        t.put("cordon-node", ResourceRef.of("Node", null, "node-1"));
        t.put("drain-node", ResourceRef.of("Node", null, "node-1"));
        return t;
    }

    /** A StatefulSet or DaemonSet in shop whose pod on node-2 crash-loops; returns the workload. */
    private static ResourceRef ownerOfACrashLoopingPod(ApiClient admin, String kind) throws Exception {
        AppsV1Api apps = new AppsV1Api(admin);
        String name = kind.equals("StatefulSet") ? "db" : "agent";
        V1PodTemplateSpec template = new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(Map.of("app", name)))
                .spec(new V1PodSpec().addContainersItem(new V1Container().name("app").image(name + ":1")));
        V1LabelSelector selector = new V1LabelSelector().matchLabels(Map.of("app", name));
        String uid;
        if (kind.equals("StatefulSet")) {
            uid = apps.createNamespacedStatefulSet("shop", new V1StatefulSet().metadata(new V1ObjectMeta().name(name))
                    .spec(new V1StatefulSetSpec().replicas(1).serviceName(name).selector(selector).template(template)))
                    .execute().getMetadata().getUid();
        } else {
            uid = apps.createNamespacedDaemonSet("shop", new V1DaemonSet().metadata(new V1ObjectMeta().name(name))
                    .spec(new V1DaemonSetSpec().selector(selector).template(template))).execute().getMetadata().getUid();
        }
        PodBuilder.pod("shop", name + "-0").label("app", name).container("app").image(name + ":1").node("node-2")
                .ownedBy("apps/v1", kind, name, uid).crashLoopBackOff(5).create(admin);
        return ResourceRef.of(kind, "shop", name);
    }

    @Test
    @Order(3)
    void everyPermissionTheDerivedRbacGrantsWasUsed() {
        assertTrue(ACTIONS_RUN.containsAll(List.of("restart-pod", "rollout-restart", "scale", "rollback-deployment",
                "adjust-resources", "patch-configmap", "patch-secret", "cordon-node", "drain-node")),
                "run the whole class: the scenarios fill what this test checks; ran " + ACTIONS_RUN);
        Set<String> unused = new TreeSet<>(GRANTED);
        unused.removeAll(USED);
        Map<String, String> unexplained = new TreeMap<>();
        for (String u : unused) if (!UNUSED_ON_PURPOSE.containsKey(u)) unexplained.put(u, "granted, never used");
        for (String u : UNUSED_ON_PURPOSE.keySet()) if (USED.contains(u)) unexplained.put(u, "listed as unused, but used: drop it from the list");
        assertTrue(unexplained.isEmpty(), "permissions the derived RBAC grants that no request of these tests used "
                + "(drop them from the action's permissions() or the engine's reads, or exercise them):\n"
                + String.join("\n", unexplained.entrySet().stream().map(e -> "  " + e.getKey() + ": " + e.getValue()).toList())
                + "\nused: " + USED);
    }
}

package io.kubeincident.responder.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.testkit.Await;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubeincident.testkit.server.LoopbackKubeServer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Lease;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long-running responder against the loopback API server: two replicas elect one leader on a Lease,
 * the leader finds an incident and holds its action for approval, the API approves it, metrics count it,
 * shutdown hands the lease over, and a configuration change is applied (or refused when invalid).
 */
class ResponderTest {
    /** The responder runs as its service account under deploy/rbac.yaml; any refused request fails the test. */
    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension().enforceRbac();
    private static final Path SHIPPED_RBAC = Path.of("deploy/rbac.yaml");

    private static final String TOKEN = "test-token-123";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Responder> started = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        started.forEach(Responder::close);
    }

    private Path config(String extra) throws IOException {
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, """
                monitoring:
                  scan_interval: 1
                leader_election:
                  lease_duration: 3s
                  renew_deadline: 2s
                  retry_period: 500ms
                responder_test:
                  fixed_analyzer: true
                  confidence: 0.7
                """ + extra);
        return f;
    }

    private Responder start(String identity, Path configFile) {
        Map<String, String> overrides = Map.of("runtime.namespace", "kube-incident",
                "audit.file", dir.resolve(identity + "-audit.jsonl").toString());
        ResponderConfig cfg = ResponderConfig.load(configFile, null, Map.of(), overrides).validated();
        Responder.Settings s = new Responder.Settings("kube-incident", "responder", identity, true, "127.0.0.1", 0, TOKEN,
                Duration.ofHours(1), List.of(configFile),
                () -> ResponderConfig.load(configFile, null, Map.of(), overrides).validated());
        kube.server().loadRbac(SHIPPED_RBAC);
        Responder r = new Responder(s, cfg, kube.server().apiClientAs("kube-incident", "kube-incident-responder"));
        started.add(r);
        return r;
    }

    private HttpResponse<String> get(Responder r, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.httpPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(Responder r, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.httpPort() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String readyz(Responder r) {
        try {
            return get(r, "/readyz", null).body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private long auditSteps(String identity, String step) throws IOException {
        Path f = dir.resolve(identity + "-audit.jsonl");
        if (!Files.exists(f)) return 0;
        return Files.readAllLines(f).stream().filter(l -> l.contains("\"step\":\"" + step + "\"")).count();
    }

    @Test
    void twoReplicasOneLeaderApprovalThroughTheApiAndHandover() throws Exception {
        ApiClient client = kube.apiClient();
        new CoreV1Api(client).createNamespace(new io.kubernetes.client.openapi.models.V1Namespace()
                .metadata(new io.kubernetes.client.openapi.models.V1ObjectMeta().name("kube-incident"))).execute();
        String pod = io.kubeincident.responder.FixturesAccess.crashLoopingDeployment(client, "shop", "web");
        Path cfg = config("");
        Responder a = start("replica-a", cfg);
        Responder b = start("replica-b", cfg);

        Await.until(WAIT, () -> a.leading() || b.leading(), "one replica leads");
        Responder leader = a.leading() ? a : b;
        Responder standby = leader == a ? b : a;
        Await.holds(Duration.ofSeconds(1), () -> !standby.leading(), "only one leads");
        V1Lease lease = new CoordinationV1Api(client).readNamespacedLease("responder", "kube-incident").execute();
        assertEquals(leader == a ? "replica-a" : "replica-b", lease.getSpec().getHolderIdentity());

        assertEquals(200, get(leader, "/healthz", null).statusCode());
        String leaderName = leader == a ? "replica-a" : "replica-b";
        String standbyName = leader == a ? "replica-b" : "replica-a";
        Await.until(WAIT, () -> readyz(standby).equals("ready: standby, leader " + leaderName + "\n"),
                "the standby is ready and names the Lease holder");
        Await.until(WAIT, () -> readyz(leader).equals("ready: leader, engine running\n"),
                "the leader is ready once its engine runs");
        assertEquals(200, get(standby, "/readyz", null).statusCode());
        // only the leader has an engine, so only the leader writes engine-started
        assertEquals(null, standby.supervisor().engine());
        assertEquals(1, auditSteps(leaderName, "engine-started"));
        assertEquals(0, auditSteps(standbyName, "engine-started"));
        assertEquals(401, get(leader, "/api/v1/incidents", null).statusCode());
        assertEquals(401, get(leader, "/api/v1/incidents", "wrong").statusCode());
        HttpResponse<String> notLeader = get(standby, "/api/v1/approvals", TOKEN);
        assertEquals(503, notLeader.statusCode());
        assertTrue(notLeader.body().contains(leader == a ? "replica-a" : "replica-b"), notLeader.body());

        // confidence 0.7 is in the approval band: the leader holds restart-pod for a human.
        JsonNode approval = Await.value(WAIT, () -> {
            try {
                JsonNode approvals = new ObjectMapper().readTree(get(leader, "/api/v1/approvals", TOKEN).body()).get("approvals");
                return approvals.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(approvals.get(0));
            } catch (Exception e) {
                return java.util.Optional.empty();
            }
        }, "an approval request");
        assertEquals("restart-pod", approval.get("action").asText());
        assertEquals(pod, approval.at("/target/name").asText());
        JsonNode incidents = new ObjectMapper().readTree(get(leader, "/api/v1/incidents", TOKEN).body());
        assertEquals("crash-loop", incidents.at("/incidents/0/type").asText(), incidents.toString());

        assertEquals(404, post(leader, "/api/v1/approvals/nope/approve", "{\"approver\":\"alice\"}").statusCode());
        // a body that is not the documented shape is refused and nothing runs
        String id = approval.get("id").asText();
        for (String bad : List.of("{\"approver\":", "", "{}", "[]", "\"alice\"", "{\"approver\":\"\"}", "{\"approver\":7}",
                "{\"approver\":\"alice\",\"force\":true}", "{\"approver\":\"alice\"} trailing")) {
            HttpResponse<String> refused = post(leader, "/api/v1/approvals/" + id + "/approve", bad);
            assertEquals(400, refused.statusCode(), bad + " -> " + refused.body());
        }
        assertEquals(List.of(pod), io.kubeincident.responder.FixturesAccess.podNames(client, "shop"), "nothing ran");
        HttpResponse<String> approved = post(leader, "/api/v1/approvals/" + id + "/approve",
                "{\"approver\":\"alice\"}");
        assertEquals(200, approved.statusCode(), approved.body());
        assertTrue(approved.body().contains("\"result\":\"applied\""), approved.body());
        assertTrue(io.kubeincident.responder.FixturesAccess.podNames(client, "shop").isEmpty(), "the pod was restarted");
        assertEquals(409, post(leader, "/api/v1/approvals/" + id + "/approve", "{\"approver\":\"bob\"}").statusCode(),
                "decided already");

        String metrics = get(leader, "/metrics", null).body();
        assertTrue(metrics.contains("kube_incident_actions_total{action=\"restart-pod\",result=\"applied\"} 1.0"), metrics);
        assertTrue(metrics.contains("kube_incident_incidents_total{severity=\"high\",type=\"crash-loop\"}"), metrics);
        assertTrue(metrics.contains("kube_incident_verdicts_total{action=\"restart-pod\",decision=\"approval\",verdict=\"allow\"}"), metrics);
        assertTrue(metrics.contains("kube_incident_analysis_seconds_count{analyzer=\"fixed-test\"}"), metrics);
        assertTrue(metrics.contains("kube_incident_llm_tokens_total{analyzer=\"fixed-test\",kind=\"prompt\"}"), metrics);
        assertTrue(metrics.contains("kube_incident_leader 1.0"), metrics);

        // graceful shutdown of the leader hands the lease over well before it would expire
        leader.close();
        Await.until(Duration.ofSeconds(10), standby::leading, "the standby takes over");
        assertEquals(1, auditSteps(standbyName, "engine-started"), "the new leader starts its engine");
        assertEquals(1, auditSteps(leaderName, "engine-started"));
        assertEquals(200, get(standby, "/api/v1/approvals", TOKEN).statusCode());
    }

    @Test
    void aRejectionsReasonReachesTheAudit() throws Exception {
        ApiClient client = kube.apiClient();
        new CoreV1Api(client).createNamespace(new io.kubernetes.client.openapi.models.V1Namespace()
                .metadata(new io.kubernetes.client.openapi.models.V1ObjectMeta().name("kube-incident"))).execute();
        String pod = io.kubeincident.responder.FixturesAccess.crashLoopingDeployment(client, "shop", "web");
        Path audit = dir.resolve("audit.jsonl");
        Path cfg = config("audit:\n  file: " + audit + "\n");
        Map<String, String> overrides = Map.of("runtime.namespace", "kube-incident");
        Responder r = new Responder(new Responder.Settings("kube-incident", "responder", "solo", true, "127.0.0.1", 0, TOKEN,
                Duration.ofHours(1), List.of(cfg), () -> ResponderConfig.load(cfg, null, Map.of(), overrides).validated()),
                ResponderConfig.load(cfg, null, Map.of(), overrides).validated(), client);
        started.add(r);
        JsonNode approval = Await.value(WAIT, () -> {
            try {
                JsonNode approvals = new ObjectMapper().readTree(get(r, "/api/v1/approvals", TOKEN).body()).get("approvals");
                return approvals == null || approvals.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(approvals.get(0));
            } catch (Exception e) {
                return java.util.Optional.empty();
            }
        }, "an approval request");
        HttpResponse<String> rejected = post(r, "/api/v1/approvals/" + approval.get("id").asText() + "/reject",
                "{\"approver\":\"carol\",\"reason\":\"checkout freeze until 18:00\"}");
        assertEquals(200, rejected.statusCode(), rejected.body());
        String lines = Files.readString(audit);
        assertTrue(lines.lines().anyMatch(l -> l.contains("\"step\":\"rejected\"") && l.contains("carol")
                && l.contains("checkout freeze until 18:00")), lines);
        assertEquals(List.of(pod), io.kubeincident.responder.FixturesAccess.podNames(client, "shop"), "nothing ran");
    }

    @Test
    void configurationChangesAreAppliedAndInvalidOnesRefused() throws Exception {
        new CoreV1Api(kube.apiClient()).createNamespace(new io.kubernetes.client.openapi.models.V1Namespace()
                .metadata(new io.kubernetes.client.openapi.models.V1ObjectMeta().name("kube-incident"))).execute();
        Path cfg = config("");
        Responder r = start("solo", cfg);
        Await.until(WAIT, r::leading, "leads");
        long gen = r.supervisor().generation();
        assertEquals(0.8, r.supervisor().engine().config().confidenceThreshold());

        Files.writeString(cfg, Files.readString(config("")).replace("scan_interval: 1", "scan_interval: 1\n  confidence_threshold: 0.95"));
        assertTrue(r.checkConfigNow());
        assertEquals(gen + 1, r.supervisor().generation());
        assertEquals(0.95, r.supervisor().engine().config().confidenceThreshold());
        assertTrue(r.leading(), "still acting after the reload");

        Files.writeString(cfg, Files.readString(cfg).replace("0.95", "7"));
        assertTrue(r.checkConfigNow());
        assertEquals(gen + 1, r.supervisor().generation(), "an invalid change is refused");
        assertEquals(0.95, r.supervisor().engine().config().confidenceThreshold(), "the running configuration stays");
        // the running engine stays; once its caches are synced the leader is ready again
        Await.until(WAIT, () -> readyz(r).equals("ready: leader, engine running\n"), "ready after the refused change");
    }

    @Test
    void aRefusedReadIsNamedInTheReadinessDetailsWithTheCommandThatFixesIt() throws Exception {
        // Its own server: this one refuses on purpose (the shipped rules without pods/log).
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                io.kubeincident.core.access.ForbiddenReads.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        log.addAppender(logged);
        ch.qos.logback.classic.Level level = log.getLevel();
        log.setLevel(ch.qos.logback.classic.Level.WARN);
        try (LoopbackKubeServer server = LoopbackKubeServer.start()) {
            ApiClient admin = server.apiClient();
            new CoreV1Api(admin).createNamespace(new io.kubernetes.client.openapi.models.V1Namespace()
                    .metadata(new io.kubernetes.client.openapi.models.V1ObjectMeta().name("kube-incident"))).execute();
            io.kubeincident.responder.FixturesAccess.crashLoopingDeployment(admin, "shop", "web");
            String podLog = "  - apiGroups: [\"\"]\n    resources: [\"pods/log\"]\n    verbs: [\"get\"]\n";
            String rbac = Files.readString(SHIPPED_RBAC);
            assertTrue(rbac.contains(podLog));
            server.loadRbac(rbac.replace(podLog, ""));
            server.enforceRbac();
            Path cfg = config("");
            Map<String, String> overrides = Map.of("runtime.namespace", "kube-incident", "audit.file", "");
            Responder.Settings s = new Responder.Settings("kube-incident", "responder", "solo", false, "127.0.0.1", 0, TOKEN,
                    Duration.ofHours(1), List.of(cfg), () -> ResponderConfig.load(cfg, null, Map.of(), overrides).validated());
            Responder r = new Responder(s, ResponderConfig.load(cfg, null, Map.of(), overrides).validated(),
                    server.apiClientAs("kube-incident", "kube-incident-responder"));
            started.add(r);
            Await.until(WAIT, () -> !r.forbiddenReads().isEmpty(), "the evidence's log read to be refused");
            HttpResponse<String> ready = get(r, "/readyz", null);
            assertEquals(200, ready.statusCode(), "degraded, not unready: " + ready.body());
            assertTrue(ready.body().startsWith("ready: single replica, engine running\nmissing permission: get pods/log (refused "),
                    ready.body());
            assertTrue(ready.body().contains("`responder rbac --config <config.yaml>` prints the RBAC this configuration needs"),
                    ready.body());
            assertEquals(1, r.forbiddenReads().size(), "one permission, however many pods: " + r.forbiddenReads());
            List<String> warnings = logged.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                    .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("refused to get pods/log") && warnings.get(0).contains("`responder rbac"), warnings.get(0));
        } finally {
            log.detachAppender(logged);
            log.setLevel(level);
        }
    }
}

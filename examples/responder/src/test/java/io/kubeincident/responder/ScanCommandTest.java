package io.kubeincident.responder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubeincident.testkit.server.KubeServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scan} against the loopback API server, through a kubeconfig, as a user runs it: as the responder's
 * service account under deploy/rbac.yaml, enforced (a refused request fails the test).
 */
class ScanCommandTest {
    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests().enforceRbac();

    private static final Map<String, String> FIXED = Map.of("KUBE_INCIDENT_RESPONDER_TEST__FIXED_ANALYZER", "true");

    @TempDir
    Path dir;
    Path kubeconfig;

    @BeforeEach
    void kubeconfig() throws Exception {
        kube.server().loadRbac(Path.of("deploy/rbac.yaml"));  // again: the reset after each test deletes every object
        kubeconfig = Cli.kubeconfig(dir, kube.baseUrl(), kube.server().serviceAccountToken("kube-incident", "kube-incident-responder"));
    }

    private static Set<String> keys(JsonNode n) {
        List<String> k = new ArrayList<>();
        n.fieldNames().forEachRemaining(k::add);
        return Set.copyOf(k);
    }

    @Test
    void jsonOutputHasTheDocumentedShapeAndNothingIsExecuted() throws Exception {
        String pod = Fixtures.crashLoopingDeployment(kube.apiClient(), "shop", "web");
        Fixtures.crashLoopingDeployment(kube.apiClient(), "kube-system", "coredns");

        Cli r = Cli.run(FIXED, "scan", "--kubeconfig", kubeconfig.toString(), "--output", "json");

        assertEquals(ExitCodes.INCIDENTS_FOUND, r.exitCode(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(Set.of("incidents"), keys(doc));
        assertEquals(2, doc.get("incidents").size(), r.out());
        for (JsonNode i : doc.get("incidents")) {
            assertEquals(Set.of("id", "type", "severity", "resources", "rootResource", "diagnosis", "plan", "problems"), keys(i));
            assertTrue(i.get("problems").isArray(), i.toString());
            assertTrue(i.get("severity").asText().matches("info|low|medium|high|critical"), i.toString());
            for (JsonNode res : i.get("resources")) assertEquals(Set.of("kind", "namespace", "name"), keys(res));
            assertEquals(Set.of("kind", "namespace", "name"), keys(i.get("rootResource")));
            assertEquals(Set.of("category", "rootCause", "confidence", "analyzer", "fallback"), keys(i.get("diagnosis")));
            assertTrue(i.get("diagnosis").get("confidence").isNumber());
            assertFalse(i.get("plan").isEmpty(), i.toString());
            for (JsonNode p : i.get("plan")) {
                assertEquals(Set.of("action", "target", "confidence", "decision", "reasons"), keys(p));
                assertEquals(Set.of("kind", "namespace", "name"), keys(p.get("target")));
                assertTrue(Set.of("execute", "approval", "log-only", "denied").contains(p.get("decision").asText()));
                assertTrue(p.get("reasons").isArray() && !p.get("reasons").isEmpty(), p.toString());
            }
        }
        JsonNode shop = find(doc, "shop");
        assertEquals("crash-loop", shop.get("type").asText());
        assertEquals("Deployment", shop.at("/rootResource/kind").asText());
        assertEquals("web", shop.at("/rootResource/name").asText());
        assertEquals("fixed-test", shop.at("/diagnosis/analyzer").asText());
        assertEquals("restart-pod", shop.at("/plan/0/action").asText());
        assertEquals(pod, shop.at("/plan/0/target/name").asText());
        assertEquals("execute", shop.at("/plan/0/decision").asText());
        JsonNode system = find(doc, "kube-system");
        assertEquals("denied", system.at("/plan/0/decision").asText());
        assertTrue(system.at("/plan/0/reasons").toString().contains("kube-system is excluded"), system.toString());

        assertEquals(List.of(pod), Fixtures.podNames(kube.apiClient(), "shop"), "scan never executes");
    }

    @Test
    void namespaceOptionLimitsTheScanAndTableIsReadable() throws Exception {
        Fixtures.crashLoopingDeployment(kube.apiClient(), "shop", "web");
        Fixtures.crashLoopingDeployment(kube.apiClient(), "billing", "api");

        Cli r = Cli.run(FIXED, "scan", "--kubeconfig", kubeconfig.toString(), "-n", "billing");

        assertEquals(ExitCodes.INCIDENTS_FOUND, r.exitCode(), r.err());
        assertTrue(r.out().contains("Deployment/billing/api"), r.out());
        assertFalse(r.out().contains("shop"), r.out());
        assertTrue(r.out().contains("restart-pod:execute"), r.out());
        assertTrue(r.out().contains("1 incident found; nothing was executed"), r.out());
    }

    @Test
    void aHealthyClusterExitsZero() throws Exception {
        Fixtures.namespace(kube.apiClient(), "shop");
        Cli r = Cli.run(FIXED, "scan", "--kubeconfig", kubeconfig.toString(), "-o", "json");
        assertEquals(ExitCodes.OK, r.exitCode(), r.err());
        assertEquals(0, new ObjectMapper().readTree(r.out()).get("incidents").size());
    }

    @Test
    void approvalBandIsReportedAsApproval() throws Exception {
        Fixtures.crashLoopingDeployment(kube.apiClient(), "shop", "web");
        Map<String, String> env = Map.of("KUBE_INCIDENT_RESPONDER_TEST__FIXED_ANALYZER", "true",
                "KUBE_INCIDENT_RESPONDER_TEST__CONFIDENCE", "0.7");
        Cli r = Cli.run(env, "scan", "--kubeconfig", kubeconfig.toString(), "-o", "json");
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals("approval", doc.at("/incidents/0/plan/0/decision").asText(), r.out());
    }

    /** One odd answer while gathering one incident's evidence is recorded on that incident; the scan goes on. */
    @Test
    void aLogAnsweredWithJsonIsRecordedOnItsIncidentAndTheScanGoesOn() throws Exception {
        String odd = Fixtures.crashLoopingDeployment(kube.apiClient(), "shop", "web");
        Fixtures.crashLoopingDeployment(kube.apiClient(), "billing", "api");
        kube.server().expectPodLogAnswer("shop", odd, "application/json", "{\"kind\":\"Status\",\"message\":\"not a log\"}");

        Cli json = Cli.run(FIXED, "scan", "--kubeconfig", kubeconfig.toString(), "-o", "json");
        assertEquals(ExitCodes.INCIDENTS_FOUND, json.exitCode(), json.err());
        JsonNode doc = new ObjectMapper().readTree(json.out());
        assertEquals(2, doc.get("incidents").size(), json.out());
        assertTrue(find(doc, "shop").get("problems").toString().contains("log of Pod/shop/" + odd + ": unreadable response"),
                json.out());
        assertEquals(0, find(doc, "billing").get("problems").size(), json.out());

        Cli table = Cli.run(FIXED, "scan", "--kubeconfig", kubeconfig.toString());
        assertEquals(ExitCodes.INCIDENTS_FOUND, table.exitCode(), table.err());
        assertTrue(table.out().contains("incomplete: evidence: log of Pod/shop/" + odd), table.out());
        assertTrue(table.out().contains("2 incidents found"), table.out());
    }

    private static JsonNode find(JsonNode doc, String namespace) {
        for (JsonNode i : doc.get("incidents")) {
            if (namespace.equals(i.at("/rootResource/namespace").asText())) return i;
        }
        throw new AssertionError("no incident in " + namespace + ": " + doc);
    }
}

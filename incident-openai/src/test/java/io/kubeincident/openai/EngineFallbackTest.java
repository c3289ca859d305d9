package io.kubeincident.openai;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.kubeincident.api.AuditRecord;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.audit.InMemoryAuditSink;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.kubeincident.openai.Checks.contains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The analyzer inside the real engine, found through ServiceLoader, on the loopback Kubernetes API:
 * a hostile answer ends as an audited analyzer failure, the rules analyzer answers, and nothing outside
 * the incident is touched; a valid answer becomes the diagnosis, its token usage in the audit.
 */
class EngineFallbackTest {

    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension();

    @RegisterExtension
    static WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private Map<String, String> config() {
        Map<String, String> c = new HashMap<>(Fixtures.llm("http://127.0.0.1:" + wm.getPort() + "/v1"));
        // a team that lets a restart of a crash loop run unattended, as in the engine's own slice test
        c.put("monitoring.confidence_threshold", "0.6");
        c.put("monitoring.approval_threshold", "0.4");
        return c;
    }

    private void modelSays(String content) {
        wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(Fixtures.completion(content))));
    }

    private static void namespaces(ApiClient client, String... names) throws ApiException {
        for (String n : names) new CoreV1Api(client).createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(n))).execute();
    }

    @Test
    void hostileAnswerFallsBackToTheRulesAndTouchesNothingOutsideTheIncident() throws ApiException {
        ApiClient client = kube.apiClient();
        namespaces(client, "default", "kube-system", "payments");
        DeploymentBuilder.deployment("default", "web").replicas(1).pods(p -> p.crashLoopBackOff(6)).create(client);
        DeploymentBuilder.deployment("kube-system", "coredns").replicas(2).pods(p -> p.running()).create(client);
        DeploymentBuilder.deployment("payments", "web").replicas(3).pods(p -> p.running()).create(client);
        modelSays(Fixtures.answer(0.99, List.of(
                Fixtures.action("restart-pod", ResourceRef.of("Pod", "kube-system", "coredns-0"), Map.of(), 0.99),
                Fixtures.action("scale", ResourceRef.of("Deployment", "payments", "web"), Map.of("replicas", 0), 0.99))));
        InMemoryAuditSink audit = new InMemoryAuditSink();

        try (IncidentEngine engine = IncidentEngine.builder().apiClient(client).config(config())
                .auditSink(audit).logAudit(false).build()) {
            assertTrue(engine.analyzers().stream().anyMatch(a -> a.id().equals("openai")), "discovered");
            List<IncidentReport> reports = engine.runOnce();

            IncidentReport web = reports.stream().filter(r -> r.incident().rootResource().key().equals("Deployment/default/web"))
                    .findFirst().orElseThrow();
            assertEquals("rules", web.diagnosis().analyzerId(), "the rules answered after the rejected answer");
            for (IncidentReport r : reports) {
                for (PlannedAction pa : r.plan()) {
                    assertTrue(r.incident().involves(pa.action().target()), "planned outside the incident: " + pa);
                }
            }
            AuditRecord failed = audit.withStep("analyzer-failed").stream()
                    .filter(a -> "openai".equals(a.field("analyzer"))).findFirst().orElseThrow();
            contains(String.valueOf(failed.field("message")), "invalid answer");
            contains(String.valueOf(failed.field("details")), "is not a resource of this incident", "llm.raw_answer");
        }
        assertEquals(2, new AppsV1Api(client).readNamespacedDeployment("coredns", "kube-system").execute().getSpec().getReplicas());
        assertEquals(3, new AppsV1Api(client).readNamespacedDeployment("web", "payments").execute().getSpec().getReplicas());
        assertEquals(2, new CoreV1Api(client).listNamespacedPod("kube-system").execute().getItems().size());
        assertEquals(3, new CoreV1Api(client).listNamespacedPod("payments").execute().getItems().size());
    }

    @Test
    void validAnswerIsTheDiagnosisWithItsUsageInTheAudit() throws ApiException {
        ApiClient client = kube.apiClient();
        namespaces(client, "default");
        var w = DeploymentBuilder.deployment("default", "web").replicas(1).pods(p -> p.crashLoopBackOff(6)).create(client);
        String pod = w.pods().get(0).getMetadata().getName();
        modelSays(Fixtures.answer(0.9, List.of(Fixtures.action("restart-pod", ResourceRef.of("Pod", "default", pod), Map.of(), 0.85))));
        InMemoryAuditSink audit = new InMemoryAuditSink();

        try (IncidentEngine engine = IncidentEngine.builder().apiClient(client).config(config())
                .auditSink(audit).logAudit(false).build()) {
            IncidentReport r = engine.runOnce().get(0);

            assertEquals("openai", r.diagnosis().analyzerId());
            assertEquals("restart-pod", r.plan().get(0).action().actionType());
            AuditRecord analyzed = audit.withStep("analyzed").get(0);
            contains(String.valueOf(analyzed.field("attributes")), "llm.prompt_tokens=1234", "llm.prompt_version=p");
        }
        String body = wm.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).get(0).getBodyAsString();
        contains(body, "Pod/default/" + pod, "CrashLoopBackOff");
    }
}

package io.kubeincident.core.e2e;

import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.audit.InMemoryAuditSink;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.EvidenceContributor;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One incident's trouble stays its own: a scan over seven incidents where the API server answers one pod's log
 * read in each of the ways a real server or proxy can (a JSON document instead of text, an HTML error page
 * declared as JSON, truncated JSON, 500, 429 with Retry-After, a read that never answers), one incident's
 * analyzer throws and one contributor throws. Every incident is still reported; each report names what is
 * missing and why; the healthy incident's report is complete.
 */
class IncidentIsolationTest {

    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension();

    /** Pod-log answers by Deployment name (its pods are named after it). */
    private static final Map<String, Function<okhttp3.Request, Response>> LOG_FAULTS = Map.of(
            "json", r -> answer(r, 200, "application/json", "{\"kind\":\"Status\",\"message\":\"not a log\"}"),
            "html", r -> answer(r, 200, "application/json", "<html><body>502 Bad Gateway</body></html>"),
            "truncated", r -> answer(r, 200, "application/json", "{\"kind\":\"Sta"),
            "error", r -> answer(r, 500, "application/json", "{\"kind\":\"Status\",\"code\":500}"),
            "throttled", r -> answer(r, 429, "application/json", "{\"kind\":\"Status\",\"code\":429}"));

    private static Response answer(okhttp3.Request r, int code, String type, String body) {
        return new Response.Builder().request(r).protocol(Protocol.HTTP_1_1).code(code).message("fault")
                .header("Retry-After", "1").body(ResponseBody.create(body, MediaType.get(type))).build();
    }

    private ApiClient faultyClient() {
        ApiClient base = kube.apiClient();
        Interceptor faults = chain -> {
            okhttp3.Request r = chain.request();
            String path = r.url().encodedPath();
            if (path.endsWith("/log")) {
                for (var e : LOG_FAULTS.entrySet()) {
                    if (path.contains("/pods/" + e.getKey() + "-")) return e.getValue().apply(r);
                }
                if (path.contains("/pods/hang-")) throw new SocketTimeoutException("timeout (simulated slow body)");
            }
            return chain.proceed(r);
        };
        ApiClient c = new ApiClient(base.getHttpClient().newBuilder().addInterceptor(faults)
                .readTimeout(2, TimeUnit.SECONDS).build());
        c.setBasePath(base.getBasePath());
        return c;
    }

    @Test
    void everyIncidentIsReportedAndEachSaysWhatIsMissing() throws Exception {
        List<String> names = List.of("json", "html", "truncated", "error", "throttled", "hang", "analyzer", "contributor", "healthy");
        for (String name : names) {
            DeploymentBuilder.deployment("shop", name).replicas(1).pods(p -> p.crashLoopBackOff(5)).create(kube.apiClient());
        }
        Analyzer picky = new Analyzer() {
            public String id() {
                return "picky";
            }

            public int priority() {
                return 200;
            }

            public AnalysisOutcome analyze(AnalysisRequest request) {
                if (request.incident().rootResource().name().equals("analyzer")) throw new IllegalStateException("analyzer bug");
                return AnalysisOutcome.declined("leaves it to the rules");
            }
        };
        EvidenceContributor broken = new EvidenceContributor() {
            public String id() {
                return "broken";
            }

            public Map<String, String> facts(Incident incident, ClusterView view) {
                if (incident.rootResource().name().equals("contributor")) throw new IllegalStateException("contributor bug");
                return Map.of();
            }
        };
        InMemoryAuditSink audit = new InMemoryAuditSink();
        try (IncidentEngine engine = IncidentEngine.builder().apiClient(faultyClient()).auditSink(audit).logAudit(false)
                .addAnalyzer(picky).addEvidenceContributor(broken).build()) {
            List<IncidentReport> reports = engine.scan();
            Map<String, IncidentReport> byName = reports.stream().collect(Collectors.toMap(
                    r -> r.incident().rootResource().name(), r -> r, (a, b) -> a, TreeMap::new));
            assertEquals(new java.util.TreeSet<>(names), byName.keySet(), "every incident is reported");
            for (IncidentReport r : reports) {
                assertEquals("rules", r.diagnosis().analyzerId(), "the rules answered " + r.incident().rootResource());
            }

            problem(byName, "json", "log of Pod/shop/json-", "unreadable response");
            problem(byName, "html", "log of Pod/shop/html-", "unreadable response");
            problem(byName, "truncated", "log of Pod/shop/truncated-", "unreadable response");
            problem(byName, "error", "log of Pod/shop/error-", "HTTP 500");
            problem(byName, "throttled", "log of Pod/shop/throttled-", "HTTP 429");
            problem(byName, "hang", "log of Pod/shop/hang-", "no answer");
            problem(byName, "analyzer", "analysis: picky failed: threw java.lang.IllegalStateException: analyzer bug");
            problem(byName, "contributor", "evidence: contributor broken failed");
            assertEquals(List.of(), byName.get("healthy").problems().stream().filter(p -> !p.startsWith("analysis: picky declined")).toList(),
                    "the healthy incident's report is complete");
            assertTrue(byName.get("json").evidence().fact("missingEvidence").contains("log of Pod/shop/json-"),
                    "analyzers are told what is missing too");
            assertTrue(audit.withStep("incomplete").stream().anyMatch(a -> a.incidentId().equals(byName.get("error").incident().id())),
                    "the audit names the incomplete report");
        }
    }

    private static void problem(Map<String, IncidentReport> byName, String name, String... parts) {
        IncidentReport r = byName.get(name);
        String all = String.join("\n", r.problems());
        assertTrue(r.problems().stream().anyMatch(p -> java.util.Arrays.stream(parts).allMatch(p::contains)),
                name + ": expected a problem with " + List.of(parts) + ", got:\n" + all);
    }
}

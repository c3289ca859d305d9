package io.kubeincident.prometheus;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.kubeincident.api.ConfigView;
import io.kubeincident.testkit.prometheus.PrometheusServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way a query can fail is a value with a reason: against the real Prometheus (a bad query, a stopped
 * server) and, for the shapes a real one will not produce on demand, a loopback stub (5xx, 401, slow, too large,
 * not JSON). Credentials are sent as configured.
 */
class PrometheusClientFaultsTest {

    @TempDir
    Path dir;

    private static PrometheusClient client(String url, Map<String, String> more) {
        Map<String, String> cfg = new java.util.HashMap<>(more);
        cfg.put("prometheus.url", url);
        cfg.putIfAbsent("prometheus.query_timeout", "1s");
        return new PrometheusClient(PrometheusConfig.from(ConfigView.of(cfg)));
    }

    @Test
    void realPrometheusAnswersAndRefusesABadQueryAndIsUnreachableOnceStopped() throws Exception {
        assertTrue(PrometheusServer.available(), "prometheus is not installed (.ci/run installs it)");
        PrometheusServer prom = PrometheusServer.builder(dir).start();
        try (PrometheusClient c = client(prom.url().toString(), Map.of())) {
            PromResult.Ok ok = assertInstanceOf(PromResult.Ok.class, c.query("vector(42)", null));
            assertEquals(42.0, ok.series().get(0).last());
            PromResult.Unavailable bad = assertInstanceOf(PromResult.Unavailable.class, c.query("sum(rate(x[5m]", null));
            assertTrue(bad.reason().startsWith("HTTP 400") && bad.reason().contains("parse error"), bad.reason());
            prom.close();
            PromResult.Unavailable down = assertInstanceOf(PromResult.Unavailable.class, c.query("vector(1)", null));
            assertTrue(down.reason().startsWith("cannot reach"), down.reason());
        } finally {
            prom.close();
        }
    }

    @Test
    void stubbedFaultsAreReasonsAndCredentialsAreSent() {
        WireMockServer wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        try {
            String url = "http://127.0.0.1:" + wm.port();
            wm.stubFor(post(urlEqualTo("/api/v1/query")).withRequestBody(containing("query=five")).willReturn(aResponse().withStatus(503)
                    .withBody("{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"too many queries\"}")));
            wm.stubFor(post(urlEqualTo("/api/v1/query")).withRequestBody(containing("query=slow")).willReturn(aResponse()
                    .withFixedDelay(4000).withBody("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}")));
            wm.stubFor(post(urlEqualTo("/api/v1/query")).withRequestBody(containing("query=big")).willReturn(aResponse()
                    .withBody("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + "{},".repeat(3000) + "{}]}}")));
            wm.stubFor(post(urlEqualTo("/api/v1/query")).withRequestBody(containing("query=html")).willReturn(aResponse()
                    .withStatus(200).withBody("<html>proxy login</html>")));
            wm.stubFor(post(urlEqualTo("/api/v1/query")).withRequestBody(containing("query=auth")).willReturn(aResponse().withStatus(401)));
            wm.stubFor(post(urlEqualTo("/api/v1/query")).withRequestBody(containing("query=many")).willReturn(aResponse()
                    .withBody("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                            + "{\"metric\":{\"a\":\"1\"},\"value\":[1,\"1\"]},".repeat(5) + "{\"metric\":{},\"value\":[1,\"NaN\"]}]}}")));
            try (PrometheusClient c = client(url, Map.of("prometheus.bearer_token", "s3cret", "prometheus.max_response_bytes", "4096",
                    "prometheus.max_series", "3", "prometheus.query_timeout", "2s"))) {
                c.query("auth", null);  // the stub's first answer is slow to warm up
                assertEquals("HTTP 503: too many queries", ((PromResult.Unavailable) c.query("five", null)).reason());
                assertTrue(((PromResult.Unavailable) c.query("slow", null)).reason().startsWith("no answer within 2000 ms"));
                assertTrue(((PromResult.Unavailable) c.query("big", null)).reason().contains("larger than 4096 bytes"));
                assertTrue(((PromResult.Unavailable) c.query("html", null)).reason().startsWith("not a Prometheus answer"));
                assertEquals("HTTP 401", ((PromResult.Unavailable) c.query("auth", null)).reason());
                PromResult.Ok many = (PromResult.Ok) c.query("many", null);
                assertEquals(3, many.series().size());
                assertTrue(many.truncated());
            }
            wm.verify(postRequestedFor(urlEqualTo("/api/v1/query")).withHeader("Authorization", equalTo("Bearer s3cret")));
            try (PrometheusClient basic = client(url, Map.of("prometheus.username", "u", "prometheus.password", "p"))) {
                basic.query("auth", null);
            }
            wm.verify(postRequestedFor(urlEqualTo("/api/v1/query")).withHeader("Authorization", equalTo("Basic dTpw")));
        } finally {
            wm.stop();
        }
    }
}

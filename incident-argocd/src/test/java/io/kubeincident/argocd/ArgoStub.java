package io.kubeincident.argocd;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.kubeincident.api.ConfigView;
import okhttp3.HttpUrl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

/**
 * An Argo CD API stub on loopback (WireMock) answering with bodies shaped like the swagger, plus builders
 * for those bodies. Every test that uses it can check afterwards, with {@link #specProblems}, that each
 * request and answer follows {@code argocd-swagger.json}.
 */
final class ArgoStub implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "static-token-123";

    // One server for the whole test JVM: starting WireMock costs far more than resetting it.
    private static WireMockServer shared;

    final WireMockServer server;

    ArgoStub() {
        synchronized (ArgoStub.class) {
            if (shared == null || !shared.isRunning()) {
                shared = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
                shared.start();
            }
            server = shared;
            server.resetAll();
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Configuration for this stub with a static token and short timings. */
    Map<String, String> config() {
        Map<String, String> m = new HashMap<>();
        m.put("argocd.server_url", url());
        m.put("argocd.token", TOKEN);
        m.put("argocd.retry_backoff", "10ms");
        m.put("argocd.read_timeout", "10s");
        m.put("argocd.request_timeout", "20s");
        m.put("argocd.wait_timeout", "1s");
        m.put("argocd.poll_interval", "100ms");
        return m;
    }

    ArgoCdConfig argoConfig(Map<String, String> overrides) {
        Map<String, String> m = config();
        m.putAll(overrides);
        return ArgoCdConfig.from(ConfigView.of(m), k -> null);
    }

    static ResponseDefinitionBuilder json(int status, Object body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body.toString());
    }

    /** A grpc-gateway error body {@code {error, code, message, details}}. */
    static ObjectNode error(int grpcCode, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", message);
        n.put("code", grpcCode);
        n.put("message", message);
        n.putArray("details");
        return n;
    }

    /** Every request the stub received that the swagger does not describe, and every answer that does not follow it. */
    List<String> specProblems(SwaggerSpec spec) {
        List<String> problems = new ArrayList<>();
        for (ServeEvent e : server.getAllServeEvents()) {
            HttpUrl u = HttpUrl.get(url() + e.getRequest().getUrl());
            Map<String, List<String>> query = new LinkedHashMap<>();
            for (String name : u.queryParameterNames()) query.put(name, u.queryParameterValues(name));
            String method = e.getRequest().getMethod().getName();
            problems.addAll(spec.checkRequest(method, u.encodedPath(), query, e.getRequest().getBodyAsString()));
            if (!method.equals("GET")) {
                String ct = e.getRequest().getHeader("Content-Type");
                if (!"application/json".equals(ct)) {
                    problems.add(method + " " + u.encodedPath() + ": Content-Type must be exactly application/json, was " + ct);
                }
            }
            if (e.getResponse() != null) {
                problems.addAll(spec.checkResponse(method, u.encodedPath(), e.getResponse().getStatus(),
                        e.getResponse().getBodyAsString()));
            }
        }
        return problems;
    }

    /** Forgets the stubs and requests; the server itself lives on for the next test. */
    @Override
    public void close() {
        server.resetAll();
    }

    // ---- bodies shaped like v1alpha1Application ----

    /** A builder for one Application body. */
    static final class App {
        final ObjectNode node = JSON.createObjectNode();
        private final ArrayNode history;
        private final ArrayNode resources;

        App(String name) {
            ObjectNode meta = node.putObject("metadata");
            meta.put("name", name);
            meta.put("namespace", "argocd");
            meta.put("resourceVersion", "1000");
            ObjectNode spec = node.putObject("spec");
            spec.put("project", "default");
            ObjectNode source = spec.putObject("source");
            source.put("repoURL", "https://git.example.com/apps.git");
            source.put("path", name);
            source.put("targetRevision", "HEAD");
            ObjectNode dest = spec.putObject("destination");
            dest.put("server", "https://kubernetes.default.svc");
            dest.put("namespace", "default");
            ObjectNode status = node.putObject("status");
            health("Healthy", null, null);
            sync("Synced", null);
            history = status.putArray("history");
            resources = status.putArray("resources");
        }

        App health(String status, String message, String since) {
            ObjectNode h = ((ObjectNode) node.get("status")).putObject("health");
            h.put("status", status);
            if (message != null) h.put("message", message);
            if (since != null) h.put("lastTransitionTime", since);
            return this;
        }

        App sync(String status, String revision) {
            ObjectNode s = ((ObjectNode) node.get("status")).putObject("sync");
            s.put("status", status);
            if (revision != null) s.put("revision", revision);
            return this;
        }

        App autoSync(boolean selfHeal) {
            ObjectNode a = ((ObjectNode) node.get("spec")).putObject("syncPolicy").putObject("automated");
            a.put("prune", false);
            a.put("selfHeal", selfHeal);
            return this;
        }

        App history(long id, String revision, String deployedAt, String user) {
            ObjectNode h = history.addObject();
            h.put("id", id);
            h.put("revision", revision);
            h.put("deployedAt", deployedAt);
            h.put("deployStartedAt", deployedAt);
            ObjectNode by = h.putObject("initiatedBy");
            if (user == null) by.put("automated", true);
            else by.put("username", user);
            ObjectNode src = h.putObject("source");
            src.put("repoURL", "https://git.example.com/apps.git");
            src.put("targetRevision", "HEAD");
            return this;
        }

        App resource(String kind, String namespace, String name, String sync, String health) {
            ObjectNode r = resources.addObject();
            r.put("group", kind.equals("Deployment") || kind.equals("StatefulSet") ? "apps" : "");
            r.put("version", "v1");
            r.put("kind", kind);
            r.put("namespace", namespace);
            r.put("name", name);
            r.put("status", sync);
            if (health != null) r.putObject("health").put("status", health);
            return this;
        }

        /** status.operationState; {@code running} also sets the pending {@code operation}. */
        App operation(String phase, String revision, String message, String startedAt, String finishedAt) {
            ObjectNode os = ((ObjectNode) node.get("status")).putObject("operationState");
            os.put("phase", phase);
            if (message != null) os.put("message", message);
            os.put("startedAt", startedAt);
            if (finishedAt != null) os.put("finishedAt", finishedAt);
            ObjectNode op = os.putObject("operation");
            op.putObject("sync").put("revision", revision);
            op.putObject("initiatedBy").put("username", "kube-incident");
            ObjectNode result = os.putObject("syncResult");
            result.put("revision", revision);
            if ("Running".equals(phase)) {
                ObjectNode pending = node.putObject("operation");
                pending.putObject("sync").put("revision", revision);
                pending.putObject("initiatedBy").put("username", "kube-incident");
            } else {
                node.remove("operation");
            }
            return this;
        }

        App label(String key, String value) {
            ((ObjectNode) node.get("metadata")).putObject("labels").put(key, value);
            return this;
        }

        @Override
        public String toString() {
            return node.toString();
        }
    }

    static App app(String name) {
        return new App(name);
    }

    static String list(App... apps) {
        ObjectNode n = JSON.createObjectNode();
        n.putObject("metadata").put("resourceVersion", "1000");
        ArrayNode items = n.putArray("items");
        for (App a : apps) items.add(a.node);
        return n.toString();
    }
}

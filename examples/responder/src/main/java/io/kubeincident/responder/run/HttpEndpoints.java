package io.kubeincident.responder.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kubeincident.api.ActionResult;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.approval.ApprovalQueue;
import io.kubeincident.prometheus.AlertIntake;
import io.kubeincident.prometheus.AlertmanagerPayload;
import io.kubeincident.core.approval.Approvals;
import io.kubeincident.responder.ReportJson;
import io.kubeincident.responder.console.ConsoleApi;
import io.kubeincident.responder.console.ConsoleAssets;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The responder's HTTP side on one port (JDK HttpServer):
 * <ul>
 *   <li>{@code GET /healthz}: 200 while the process runs</li>
 *   <li>{@code GET /readyz}: 200 while this replica can do its job (the API server answers; the leader's
 *       engine runs with synced caches; a standby can take over), with one line saying which
 *       ({@code ready: standby, leader replica-a}); 503 with the reason otherwise; further lines name
 *       each missing read permission ({@code missing permission: get configmaps ...})</li>
 *   <li>{@code GET /metrics}: Prometheus text</li>
 *   <li>{@code GET /api/v1/incidents}: open incidents (the scan JSON shape plus {@code state})</li>
 *   <li>{@code GET /api/v1/approvals}: actions held for approval</li>
 *   <li>{@code POST /api/v1/approvals/{id}/approve} and {@code .../reject}, body
 *       {@code {"approver":"name","reason":"optional"}} (required; anything else is a 400 and nothing runs);
 *       404 unknown, 409 decided already, 410 expired</li>
 *   <li>{@code GET /console/}: the web console (static files from the jar); its data comes from
 *       {@code /api/v1/console/...} ({@link ConsoleApi}), live changes as server-sent events</li>
 *   <li>{@code POST /api/v1/alerts}: Alertmanager's webhook (payload version 4); 200 with what was taken, 400 with
 *       the reason for a malformed body, 429 (with {@code Retry-After}) when the intake queue is full, so that
 *       Alertmanager delivers again</li>
 * </ul>
 * {@code /api/} requires {@code Authorization: Bearer <token>}; without a configured token the API is off
 * (503). The token travels only in that header, never in a cookie or URL, and a POST whose {@code Origin}
 * is another site is refused (403), so another page in the browser cannot approve anything. Only the leader
 * holds incidents and approvals: on a standby replica the API answers 503 naming the leader.
 */
public final class HttpEndpoints implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoints.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Trailing content after the object ({@code {"approver":"a"} junk}) is an error, not ignored. */
    private static final ObjectMapper STRICT_JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Pattern DECIDE = Pattern.compile("^/api/v1/approvals/([A-Za-z0-9-]{1,64})/(approve|reject)$");

    private final HttpServer server;
    private final ExecutorService pool;
    private final EngineSupervisor supervisor;
    private final PrometheusMeterRegistry registry;
    private final java.util.function.Supplier<Responder.Readiness> ready;
    private final Supplier<List<String>> readinessDetails;
    private final Leadership leadership;
    private java.util.function.Supplier<Optional<String>> leaseHolder = Optional::empty;
    private final byte[] token;
    private final ConsoleApi console;
    /** Open event streams each hold a server thread: at most this many, the rest get 503. */
    static final int MAX_STREAMS = 8;
    private final Semaphore streams = new Semaphore(MAX_STREAMS);
    private volatile boolean closed;
    private final AlertIntake alerts;

    /**
     * @param port       0 for any free port
     * @param token      the API bearer token, or {@code null} to switch the API off
     * @param leadership {@code null} when leader election is off (this replica always leads)
     * @param console    the web console's data, or {@code null} for no console
     * @param readinessDetails lines that follow "ready" / "not ready" in {@code /readyz} (degraded, not unready)
     * @param alerts     the Alertmanager intake, or {@code null} (the alerts endpoint answers 404)
     */
    public HttpEndpoints(String bindAddress, int port, EngineSupervisor supervisor, PrometheusMeterRegistry registry,
                         java.util.function.Supplier<Responder.Readiness> ready, Supplier<List<String>> readinessDetails,
                         Leadership leadership, String token, ConsoleApi console, AlertIntake alerts) throws IOException {
        this.alerts = alerts;
        this.supervisor = supervisor;
        this.console = console;
        this.registry = registry;
        this.ready = ready;
        this.readinessDetails = readinessDetails;
        this.leadership = leadership;
        this.token = token == null || token.isBlank() ? null : token.trim().getBytes(StandardCharsets.UTF_8);
        this.server = HttpServer.create(new InetSocketAddress(bindAddress, port), 32);
        this.pool = Executors.newFixedThreadPool(4 + (console == null ? 0 : MAX_STREAMS), r -> {
            Thread t = new Thread(r, "kube-incident-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/healthz", ex -> guard(ex, () -> text(ex, 200, "ok\n")));
        server.createContext("/readyz", ex -> guard(ex, () -> {
            Responder.Readiness r = ready.get();
            StringBuilder details = new StringBuilder();
            for (String line : readinessDetails.get()) details.append(line).append('\n');
            text(ex, r.ready() ? 200 : 503, r.message() + "\n" + details);
        }));
        server.createContext("/metrics", ex -> guard(ex, () -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            send(ex, 200, body);
        }));
        server.createContext("/api/", ex -> guard(ex, () -> api(ex)));
        if (console != null) {
            server.createContext("/console", ex -> guard(ex, () -> asset(ex)));
            server.createContext("/", ex -> guard(ex, () -> {
                if (ex.getRequestURI().getPath().equals("/")) {
                    ex.getResponseHeaders().set("Location", "/console/");
                    send(ex, 302, new byte[0]);
                } else {
                    json(ex, 404, Map.of("error", "not found"));
                }
            }));
        }
        server.start();
    }

    /** Where a standby learns who leads (the Lease as the API server last reported it). */
    void leaseHolder(java.util.function.Supplier<Optional<String>> holder) {
        this.leaseHolder = holder;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void asset(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
            methodNotAllowed(ex, "GET");
            return;
        }
        Optional<ConsoleAssets.Asset> asset = ConsoleAssets.find(ex.getRequestURI().getPath());
        if (asset.isEmpty()) {
            text(ex, 404, "not found\n");
            return;
        }
        ConsoleAssets.HEADERS.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.getResponseHeaders().set("Content-Type", asset.get().contentType());
        send(ex, 200, ex.getRequestMethod().equals("HEAD") ? new byte[0] : asset.get().body());
    }

    private void api(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (token == null) {
            json(ex, 503, Map.of("error", "the API is off: no token configured (KUBE_INCIDENT_API_TOKEN or --api-token-file)"));
            return;
        }
        if (!authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
            // never the token itself: only whether one was sent
            LOG.atWarn().addKeyValue("remote", String.valueOf(ex.getRemoteAddress().getAddress().getHostAddress()))
                    .addKeyValue("method", ex.getRequestMethod()).addKeyValue("path", ex.getRequestURI().getPath())
                    .log("API request refused (401): {} bearer token", ex.getRequestHeaders().getFirst("Authorization") == null
                            ? "no" : "a wrong");
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            json(ex, 401, Map.of("error", "missing or wrong bearer token"));
            return;
        }
        if (!ex.getRequestMethod().equals("GET") && crossSite(ex)) {
            json(ex, 403, Map.of("error", "cross-site request refused: Origin " + ex.getRequestHeaders().getFirst("Origin")
                    + " is not this server"));
            return;
        }
        if (leadership != null && !leadership.isLeader()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", "this replica is not the leader; incidents and approvals live on the leader");
            body.put("leader", leaseHolder.get().orElse(null));
            json(ex, 503, body);
            return;
        }
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        IncidentEngine engine = supervisor.engine();
        if (console != null && path.startsWith(ConsoleApi.PREFIX)) {
            if (!method.equals("GET")) {
                methodNotAllowed(ex, "GET");
            } else if (ConsoleApi.isStream(path)) {
                stream(ex);
            } else {
                ConsoleApi.Reply reply = console.get(path, ex.getRequestURI().getRawQuery(), engine, runtime());
                json(ex, reply.status(), reply.body());
            }
            return;
        }
        if (engine == null) {
            json(ex, 503, Map.of("error", "the engine is not running (starting or shutting down)"));
            return;
        }
        if (path.equals("/api/v1/incidents")) {
            if (!method.equals("GET")) {
                methodNotAllowed(ex, "GET");
                return;
            }
            List<Object> incidents = new ArrayList<>();
            engine.openIncidents().forEach(r -> {
                Map<String, Object> m = ReportJson.incident(r);
                m.put("state", r.incident().state().name().toLowerCase(java.util.Locale.ROOT));
                m.put("openedAt", r.incident().openedAt().toString());
                m.put("sources", r.incident().findings().stream().map(io.kubeincident.api.Finding::source).distinct().sorted().toList());
                List<Object> findings = new ArrayList<>();
                r.incident().findings().forEach(f -> {
                    Map<String, Object> fm = new LinkedHashMap<>();
                    fm.put("source", f.source());
                    fm.put("type", f.incidentType());
                    fm.put("resource", ReportJson.ref(f.resource()));
                    fm.put("message", f.message());
                    findings.add(fm);
                });
                m.put("findings", findings);
                incidents.add(m);
            });
            json(ex, 200, Map.of("incidents", incidents));
            return;
        }
        if (path.equals("/api/v1/approvals")) {
            if (!method.equals("GET")) {
                methodNotAllowed(ex, "GET");
                return;
            }
            List<Object> approvals = new ArrayList<>();
            for (ApprovalQueue.Pending p : engine.pendingApprovals()) approvals.add(pending(p));
            json(ex, 200, Map.of("approvals", approvals));
            return;
        }
        if (path.equals("/api/v1/alerts") && alerts != null) {
            if (!method.equals("POST")) {
                methodNotAllowed(ex, "POST");
                return;
            }
            receiveAlerts(ex);
            return;
        }
        Matcher m = DECIDE.matcher(path);
        if (m.matches()) {
            if (!method.equals("POST")) {
                methodNotAllowed(ex, "POST");
                return;
            }
            DecisionBody body;
            try {
                body = DecisionBody.parse(ex.getRequestBody());
            } catch (IllegalArgumentException bad) {
                LOG.atWarn().addKeyValue("approval_id", m.group(1)).log("refused a malformed {} request: {}", m.group(2),
                        bad.getMessage());
                json(ex, 400, Map.of("error", bad.getMessage(), "expected", DecisionBody.SHAPE));
                return;
            }
            String id = m.group(1);
            Approvals.Decision d = m.group(2).equals("approve") ? engine.approvals().approve(id, body.approver())
                    : engine.approvals().reject(id, body.approver(), body.reason());
            decided(ex, id, body, d);
            return;
        }
        json(ex, 404, Map.of("error", "no such endpoint: " + method + " " + path));
    }

    private void stream(HttpExchange ex) throws IOException {
        if (!streams.tryAcquire()) {
            json(ex, 503, Map.of("error", "too many open event streams (" + MAX_STREAMS + "); close a console tab"));
            return;
        }
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream os = ex.getResponseBody()) {
                console.stream(os, () -> !closed);
            }
        } finally {
            streams.release();
        }
    }

    /** What the console's status page shows beyond the engine. */
    private Map<String, Object> runtime() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("leaderElection", leadership != null);
        m.put("identity", leadership == null ? null : leadership.identity());
        m.put("leader", leadership == null ? "this replica (leader election off)" : leadership.leader());
        m.put("leading", supervisor.leading());
        m.put("ready", ready.get().ready());
        m.put("engineGeneration", supervisor.generation());
        return m;
    }

    /**
     * A browser names the page that sent a request in {@code Origin} (and {@code Sec-Fetch-Site}); a request from
     * another site is refused even with the right token. Tools such as curl send neither.
     */
    static boolean crossSite(HttpExchange ex) {
        String site = ex.getRequestHeaders().getFirst("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) return true;
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin == null) return false;
        String host = ex.getRequestHeaders().getFirst("Host");
        try {
            URI o = URI.create(origin);
            if (o.getHost() == null || host == null) return true;
            String authority = o.getHost() + (o.getPort() < 0 ? "" : ":" + o.getPort());
            return !authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    private void receiveAlerts(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readNBytes(AlertmanagerPayload.MAX_BYTES + 1);
        AlertIntake.Result r = alerts.accept(body);
        if (r instanceof AlertIntake.Result.Accepted a) {
            json(ex, 200, Map.of("firing", a.firing(), "resolved", a.resolved(), "unmapped", a.unmapped()));
        } else if (r instanceof AlertIntake.Result.Malformed bad) {
            LOG.atWarn().addKeyValue("reason", bad.reason()).log("alert webhook refused: {}", bad.reason());
            json(ex, 400, Map.of("error", "malformed Alertmanager payload: " + bad.reason()));
        } else if (r instanceof AlertIntake.Result.Full full) {
            ex.getResponseHeaders().set("Retry-After", "5");
            json(ex, 429, Map.of("error", "alert queue full (" + full.queued() + " of " + full.capacity()
                    + " waiting); deliver again later"));
        }
    }

    private static void decided(HttpExchange ex, String id, DecisionBody body, Approvals.Decision d) throws IOException {
        if (d instanceof Approvals.Decision.Approved a) {
            LOG.atInfo().addKeyValue("approval_id", id).addKeyValue("approver", body.approver())
                    .log("approved {}: {}", id, a.result().kind());
            json(ex, 200, Map.of("id", id, "decision", "approved", "result", a.result().kind(),
                    "message", a.result().message()));
        } else if (d instanceof Approvals.Decision.Rejected) {
            LOG.atInfo().addKeyValue("approval_id", id).addKeyValue("approver", body.approver())
                    .addKeyValue("reason", body.reason()).log("rejected {}", id);
            json(ex, 200, Map.of("id", id, "decision", "rejected"));
        } else if (d instanceof Approvals.Decision.NotFound) {
            json(ex, 404, Map.of("error", "no pending approval " + id));
        } else if (d instanceof Approvals.Decision.Expired) {
            json(ex, 410, Map.of("error", d.message()));
        } else if (d instanceof Approvals.Decision.AlreadyDecided) {
            json(ex, 409, Map.of("error", d.message()));
        } else {
            json(ex, 400, Map.of("error", d.message()));
        }
    }

    /**
     * The body of an approve or reject call: a JSON object with {@code approver} (required, the name that goes
     * into the audit) and, optionally, {@code reason}; nothing else.
     */
    record DecisionBody(String approver, String reason) {
        static final String SHAPE = "{\"approver\": \"<name>\", \"reason\": \"<optional text>\"}";
        private static final int MAX_BYTES = 4096;

        static DecisionBody parse(InputStream in) throws IOException {
            byte[] raw = in.readNBytes(MAX_BYTES + 1);
            if (raw.length > MAX_BYTES) throw new IllegalArgumentException("the body is larger than " + MAX_BYTES + " bytes");
            if (new String(raw, StandardCharsets.UTF_8).isBlank()) {
                throw new IllegalArgumentException("a JSON body naming the approver is required");
            }
            JsonNode n;
            try {
                n = STRICT_JSON.readTree(raw);
            } catch (IOException e) {
                throw new IllegalArgumentException("the body is not valid JSON");
            }
            if (n == null || !n.isObject()) throw new IllegalArgumentException("the body must be a JSON object");
            for (var it = n.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("approver") && !f.equals("reason")) {
                    throw new IllegalArgumentException("unknown field '" + f.replaceAll("[^A-Za-z0-9_-]", "?") + "'");
                }
            }
            JsonNode a = n.get("approver");
            if (a == null || !a.isTextual() || a.asText().isBlank()) {
                throw new IllegalArgumentException("approver must be a non-empty string");
            }
            if (a.asText().length() > 100) throw new IllegalArgumentException("approver is longer than 100 characters");
            JsonNode r = n.get("reason");
            if (r != null && !r.isNull() && !r.isTextual()) throw new IllegalArgumentException("reason must be a string");
            String reason = r == null || r.isNull() || r.asText().isBlank() ? null : r.asText().strip();
            if (reason != null && reason.length() > 1000) throw new IllegalArgumentException("reason is longer than 1000 characters");
            return new DecisionBody(a.asText().strip(), reason);
        }
    }

    static Map<String, Object> pending(ApprovalQueue.Pending p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("incidentId", p.incident().id());
        m.put("incidentType", p.incident().type());
        m.putAll(ReportJson.planned(p.action()));
        m.put("requestedAt", p.requestedAt().toString());
        m.put("expiresAt", p.expiresAt().toString());
        return m;
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }

    private interface Handler {
        void handle() throws IOException;
    }

    private static void guard(HttpExchange ex, Handler h) {
        try (ex) {
            h.handle();
        } catch (IOException | RuntimeException e) {
            LOG.warn("HTTP {} {} failed: {}", ex.getRequestMethod(), ex.getRequestURI().getPath(), e.toString());
            try {
                json(ex, 500, Map.of("error", "internal error"));
            } catch (IOException | RuntimeException ignored) {
                // the response was already under way
            }
        }
    }

    private static void methodNotAllowed(HttpExchange ex, String allowed) throws IOException {
        ex.getResponseHeaders().set("Allow", allowed);
        json(ex, 405, Map.of("error", "method not allowed; use " + allowed));
    }

    private static void text(HttpExchange ex, int status, String body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        send(ex, status, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void json(HttpExchange ex, int status, Object body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        send(ex, status, JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    @Override
    public void close() {
        closed = true;
        server.stop(1);
        pool.shutdownNow();
    }
}

package io.kubeincident.argocd.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubeincident.argocd.AppRef;
import io.kubeincident.argocd.ArgoCdConfig;
import io.kubeincident.argocd.model.Application;
import io.kubeincident.argocd.model.ApplicationList;
import io.kubeincident.argocd.model.ApplicationTree;
import io.kubeincident.argocd.model.OperationState;
import io.kubeincident.argocd.model.SyncResource;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Argo CD REST API (grpc-gateway, {@code /api/v1}), the calls this project needs.
 *
 * <p>Authentication: a static token, or a user name and password traded for a session token through
 * {@code POST /api/v1/session}; the session token is kept in memory, and a 401 logs in again once and
 * repeats the call. Every request carries {@code Authorization: Bearer}; every non-GET request carries
 * exactly {@code Content-Type: application/json} (Argo CD answers 415 to anything else, including a
 * {@code charset} parameter).
 *
 * <p>Failures are values ({@link ArgoResult.Failed} with an {@link ArgoError}); nothing expected is thrown.
 * Calls that cannot change anything (GET, login) are retried on timeouts, broken connections, 429 and 5xx,
 * at most {@link ArgoCdConfig#maxRetries()} times with exponential back-off (or the server's
 * {@code Retry-After}); calls that change something are retried only when the server certainly did not act
 * on them (connection refused, 429, 503). Thread-safe.
 */
public final class ArgoCdClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ArgoCdClient.class);
    private static final MediaType JSON = MediaType.get("application/json");
    private static final int MAX_MESSAGE = 500;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(30);

    /** How the client waits between attempts; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;

        Sleeper REAL = d -> Thread.sleep(d.toMillis());
    }

    private final ArgoCdConfig config;
    private final HttpUrl base;
    private final OkHttpClient http;
    private final ObjectMapper json;
    private final Sleeper sleeper;
    private final Object loginLock = new Object();
    private volatile String sessionToken;

    public ArgoCdClient(ArgoCdConfig config) {
        this(config, Sleeper.REAL);
    }

    public ArgoCdClient(ArgoCdConfig config, Sleeper sleeper) {
        this.config = config;
        this.sleeper = sleeper == null ? Sleeper.REAL : sleeper;
        HttpUrl parsed = HttpUrl.parse(config.serverUrl().toString());
        if (parsed == null) throw new IllegalArgumentException("argocd.server_url: not a URL: " + config.serverUrl());
        this.base = parsed;
        OkHttpClient.Builder b = new OkHttpClient.Builder()
                .connectTimeout(config.connectTimeout())
                .readTimeout(config.readTimeout())
                .writeTimeout(config.readTimeout())
                .callTimeout(config.requestTimeout())
                // Retries are ours (bounded, and only where safe); OkHttp's silent retry would repeat POSTs.
                .retryOnConnectionFailure(false)
                .followRedirects(false);
        if (config.insecure()) {
            Tls.insecure(b, config.serverUrl().toString());
        } else if (config.caFile() != null) {
            Tls.trustCa(b, config.caFile());
        }
        this.http = b.build();
        this.json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    public ArgoCdConfig config() {
        return config;
    }

    // ---- applications ----

    /** {@code GET /api/v1/applications/{name}}. */
    public ArgoResult<Application> getApplication(AppRef app) {
        HttpUrl url = appUrl(app).build();
        return call("GET", url, null, true, Application.class);
    }

    /** {@code GET /api/v1/applications} with {@code selector}, {@code projects} and {@code appNamespace}. */
    public ArgoResult<List<Application>> listApplications(AppQuery query) {
        HttpUrl.Builder u = base.newBuilder().addPathSegments("api/v1/applications");
        if (query.selector() != null) u.addQueryParameter("selector", query.selector());
        for (String p : query.projects()) u.addQueryParameter("projects", p);
        if (query.appNamespace() != null) u.addQueryParameter("appNamespace", query.appNamespace());
        return call("GET", u.build(), null, true, ApplicationList.class).map(ApplicationList::items);
    }

    /** {@code GET /api/v1/applications/{applicationName}/resource-tree}. */
    public ArgoResult<ApplicationTree> resourceTree(AppRef app) {
        HttpUrl.Builder u = base.newBuilder().addPathSegments("api/v1/applications")
                .addPathSegment(app.name()).addPathSegment("resource-tree");
        if (app.namespace() != null) u.addQueryParameter("appNamespace", app.namespace());
        return call("GET", u.build(), null, true, ApplicationTree.class);
    }

    /** The application's current or last operation, empty when it never ran one. */
    public ArgoResult<Optional<OperationState>> operationState(AppRef app) {
        return getApplication(app).map(a -> Optional.ofNullable(a.status().operationState()));
    }

    /** {@code POST /api/v1/applications/{name}/sync}. Prune only when {@code request.prune()}. */
    public ArgoResult<Application> sync(AppRef app, SyncRequest request) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", app.name());
        if (app.namespace() != null) body.put("appNamespace", app.namespace());
        if (request.revision() != null) body.put("revision", request.revision());
        body.put("prune", request.prune());
        body.put("dryRun", request.dryRun());
        if (!request.resources().isEmpty()) {
            List<Map<String, Object>> resources = new ArrayList<>();
            for (SyncResource r : request.resources()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("group", r.group());
                m.put("kind", r.kind());
                if (r.namespace() != null) m.put("namespace", r.namespace());
                m.put("name", r.name());
                resources.add(m);
            }
            body.put("resources", resources);
        }
        return call("POST", appUrl(app, "sync"), body, false, Application.class);
    }

    /** {@code POST /api/v1/applications/{name}/rollback} to history entry {@code id}; never prunes. */
    public ArgoResult<Application> rollback(AppRef app, long historyId, boolean dryRun) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", app.name());
        if (app.namespace() != null) body.put("appNamespace", app.namespace());
        body.put("id", historyId);
        body.put("dryRun", dryRun);
        body.put("prune", false);
        return call("POST", appUrl(app, "rollback"), body, false, Application.class);
    }

    /** {@code DELETE /api/v1/applications/{name}/operation}: stops the running operation. */
    public ArgoResult<Boolean> terminateOperation(AppRef app) {
        HttpUrl.Builder u = base.newBuilder().addPathSegments("api/v1/applications")
                .addPathSegment(app.name()).addPathSegment("operation");
        if (app.namespace() != null) u.addQueryParameter("appNamespace", app.namespace());
        return call("DELETE", u.build(), null, false, JsonNode.class).map(n -> Boolean.TRUE);
    }

    /**
     * {@code PATCH /api/v1/applications/{name}} with a JSON merge patch (RFC 7386), e.g.
     * {@code {"spec":{"syncPolicy":{"automated":null}}}} to turn auto-sync off.
     */
    public ArgoResult<Application> patchApplication(AppRef app, JsonNode mergePatch) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", app.name());
        if (app.namespace() != null) body.put("appNamespace", app.namespace());
        try {
            body.put("patch", json.writeValueAsString(mergePatch));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("patch is not serialisable: " + e.getMessage(), e);
        }
        body.put("patchType", "merge");
        HttpUrl url = base.newBuilder().addPathSegments("api/v1/applications").addPathSegment(app.name()).build();
        return call("PATCH", url, body, false, Application.class);
    }

    public ObjectMapper json() {
        return json;
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    // ---- transport ----

    private HttpUrl.Builder appUrl(AppRef app) {
        HttpUrl.Builder u = base.newBuilder().addPathSegments("api/v1/applications").addPathSegment(app.name());
        if (app.namespace() != null) u.addQueryParameter("appNamespace", app.namespace());
        return u;
    }

    private HttpUrl appUrl(AppRef app, String verb) {
        return base.newBuilder().addPathSegments("api/v1/applications").addPathSegment(app.name())
                .addPathSegment(verb).build();
    }

    /** One HTTP exchange's result: the parsed body on 2xx, else the error and whether a retry is safe. */
    private record Exchange(int status, String body, ArgoError error, boolean sent, Duration retryAfter) {
    }

    private <T> ArgoResult<T> call(String method, HttpUrl url, Object body, boolean idempotent, Class<T> type) {
        byte[] payload;
        try {
            payload = body == null ? (method.equals("GET") ? null : new byte[0]) : json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("request body is not serialisable: " + e.getMessage(), e);
        }
        boolean reloggedIn = false;
        int attempt = 0;
        while (true) {
            String token = bearer();
            if (token == null) {
                ArgoResult<String> login = login();
                if (!login.isOk()) return ArgoResult.failed(login.error());
                token = login.value();
            }
            Exchange ex = exchange(method, url, payload, token);
            if (ex.error() == null) return parse(ex, type, method, url);
            ArgoError err = ex.error();
            if (err.kind() == ArgoError.Kind.UNAUTHENTICATED && config.sessionAuth() && !reloggedIn) {
                // The session token expired or was revoked: log in again once and repeat the call.
                reloggedIn = true;
                invalidate(token);
                LOG.info("Argo CD answered 401 to {} {}; logging in again", method, url.encodedPath());
                continue;
            }
            if (err.kind() == ArgoError.Kind.UNAUTHENTICATED && !config.sessionAuth()) {
                err = new ArgoError(err.kind(), err.httpStatus(), err.grpcCode(),
                        "the Argo CD token was rejected (expired or revoked?): " + err.message(), false);
            }
            if (attempt < config.maxRetries() && retrySafe(err, ex, idempotent)) {
                Duration delay = delay(attempt, ex.retryAfter());
                LOG.debug("Argo CD {} {} failed ({}); retry {} of {} in {} ms", method, url.encodedPath(),
                        err.describe(), attempt + 1, config.maxRetries(), delay.toMillis());
                attempt++;
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return ArgoResult.failed(new ArgoError(ArgoError.Kind.INTERRUPTED, 0, -1,
                            "interrupted while waiting to retry after " + err.describe(), false));
                }
                continue;
            }
            return ArgoResult.failed(err);
        }
    }

    private String bearer() {
        return config.sessionAuth() ? sessionToken : config.token();
    }

    private void invalidate(String token) {
        synchronized (loginLock) {
            if (token != null && token.equals(sessionToken)) sessionToken = null;
        }
    }

    /** {@code POST /api/v1/session}; concurrent callers share one login. */
    ArgoResult<String> login() {
        synchronized (loginLock) {
            if (sessionToken != null) return ArgoResult.ok(sessionToken);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("username", config.username());
            body.put("password", config.password());
            byte[] payload;
            try {
                payload = json.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            HttpUrl url = base.newBuilder().addPathSegments("api/v1/session").build();
            int attempt = 0;
            while (true) {
                Exchange ex = exchange("POST", url, payload, null);
                if (ex.error() == null) {
                    JsonNode node;
                    try {
                        node = json.readTree(ex.body());
                    } catch (IOException | RuntimeException e) {
                        node = null;
                    }
                    String token = node == null ? null : node.path("token").asText(null);
                    if (token == null || token.isBlank()) {
                        return ArgoResult.failed(new ArgoError(ArgoError.Kind.INVALID_RESPONSE, ex.status(), -1,
                                "Argo CD login answered without a token", false));
                    }
                    sessionToken = token;
                    return ArgoResult.ok(token);
                }
                ArgoError err = ex.error();
                if (err.kind() == ArgoError.Kind.UNAUTHENTICATED) {
                    return ArgoResult.failed(new ArgoError(err.kind(), err.httpStatus(), err.grpcCode(),
                            "Argo CD login as '" + config.username() + "' failed: " + err.message(), false));
                }
                // Logging in changes nothing, so it is retried like a read.
                if (attempt < config.maxRetries() && retrySafe(err, ex, true)) {
                    try {
                        sleeper.sleep(delay(attempt++, ex.retryAfter()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return ArgoResult.failed(new ArgoError(ArgoError.Kind.INTERRUPTED, 0, -1,
                                "interrupted while logging in", false));
                    }
                    continue;
                }
                return ArgoResult.failed(new ArgoError(err.kind(), err.httpStatus(), err.grpcCode(),
                        "Argo CD login failed: " + err.message(), err.retryable()));
            }
        }
    }

    private Exchange exchange(String method, HttpUrl url, byte[] payload, String token) {
        Request.Builder rb = new Request.Builder().url(url).header("Accept", "application/json");
        if (token != null) rb.header("Authorization", "Bearer " + token);
        if (method.equals("GET")) {
            rb.get();
        } else {
            // A byte body keeps the media type exactly "application/json"; a String body would add "; charset=utf-8".
            rb.method(method, RequestBody.create(payload == null ? new byte[0] : payload, JSON));
            rb.header("Content-Type", "application/json");
        }
        try (Response response = http.newCall(rb.build()).execute()) {
            String text = response.body().string();
            int status = response.code();
            if (status >= 200 && status < 300) return new Exchange(status, text, null, true, null);
            return new Exchange(status, text, classify(status, text), true, retryAfter(response.header("Retry-After")));
        } catch (SSLException e) {
            return new Exchange(0, null, new ArgoError(ArgoError.Kind.TLS, 0, -1,
                    "TLS with " + url.host() + " failed: " + e.getMessage()
                            + " (set argocd.ca_file to the CA that signed the server certificate)", false), false, null);
        } catch (ConnectException | UnknownHostException | NoRouteToHostException e) {
            return new Exchange(0, null, new ArgoError(ArgoError.Kind.CONNECTION, 0, -1,
                    "cannot connect to " + url.host() + ":" + url.port() + ": " + e.getMessage(), true), false, null);
        } catch (SocketTimeoutException e) {
            return new Exchange(0, null, new ArgoError(ArgoError.Kind.TIMEOUT, 0, -1,
                    method + " " + url.encodedPath() + " timed out: " + e.getMessage(), true), true, null);
        } catch (InterruptedIOException e) {
            // OkHttp reports its call timeout as InterruptedIOException("timeout").
            if (Thread.currentThread().isInterrupted()) {
                return new Exchange(0, null, new ArgoError(ArgoError.Kind.INTERRUPTED, 0, -1,
                        "interrupted during " + method + " " + url.encodedPath(), false), true, null);
            }
            return new Exchange(0, null, new ArgoError(ArgoError.Kind.TIMEOUT, 0, -1,
                    method + " " + url.encodedPath() + " timed out after " + config.requestTimeout().toMillis()
                            + " ms", true), true, null);
        } catch (IOException e) {
            return new Exchange(0, null, new ArgoError(ArgoError.Kind.CONNECTION, 0, -1,
                    method + " " + url.encodedPath() + " failed: " + e, true), true, null);
        }
    }

    private <T> ArgoResult<T> parse(Exchange ex, Class<T> type, String method, HttpUrl url) {
        try {
            String body = ex.body() == null || ex.body().isBlank() ? "{}" : ex.body();
            T value = json.readValue(body, type);
            if (value == null) throw new IOException("empty body");
            return ArgoResult.ok(value);
        } catch (IOException | RuntimeException e) {
            return ArgoResult.failed(new ArgoError(ArgoError.Kind.INVALID_RESPONSE, ex.status(), -1,
                    method + " " + url.encodedPath() + " answered with an unreadable body: " + abbreviate(e.getMessage()),
                    false));
        }
    }

    /** Maps an HTTP status and a grpc-gateway body {@code {error, code, message, details}} to an error. */
    static ArgoError classify(int status, String body) {
        String message = null;
        int code = -1;
        if (body != null && !body.isBlank()) {
            try {
                JsonNode node = new ObjectMapper().readTree(body);
                if (node != null && node.isObject()) {
                    message = text(node.get("message"));
                    if (message == null) message = text(node.get("error"));
                    if (node.path("code").canConvertToInt()) code = node.path("code").asInt();
                }
            } catch (IOException | RuntimeException e) {
                // not JSON (a proxy's HTML page, Argo CD's plain-text 415): keep the text
            }
            if (message == null) message = abbreviate(body.strip());
        }
        if (message == null || message.isBlank()) message = "HTTP " + status;
        String lower = message.toLowerCase(Locale.ROOT);
        ArgoError.Kind kind;
        boolean retryable;
        switch (status) {
            case 400 -> {
                if (lower.contains("another operation is already in progress")) {
                    kind = ArgoError.Kind.OPERATION_IN_PROGRESS;
                    retryable = true;
                } else if (lower.contains("auto-sync is enabled")) {
                    kind = ArgoError.Kind.AUTO_SYNC_ENABLED;
                    retryable = false;
                } else if (code == 9) {
                    kind = ArgoError.Kind.FAILED_PRECONDITION;
                    retryable = false;
                } else {
                    kind = ArgoError.Kind.BAD_REQUEST;
                    retryable = false;
                }
            }
            case 401 -> {
                kind = ArgoError.Kind.UNAUTHENTICATED;
                retryable = false;
            }
            case 403 -> {
                if (lower.contains("sync window")) {
                    kind = ArgoError.Kind.SYNC_WINDOW_BLOCKED;
                    retryable = true;
                } else {
                    kind = ArgoError.Kind.PERMISSION_DENIED;
                    retryable = false;
                }
            }
            case 404 -> {
                kind = ArgoError.Kind.NOT_FOUND;
                retryable = false;
            }
            case 409 -> {
                kind = ArgoError.Kind.CONFLICT;
                retryable = true;
            }
            case 415 -> {
                kind = ArgoError.Kind.UNSUPPORTED_MEDIA_TYPE;
                retryable = false;
            }
            case 429 -> {
                kind = ArgoError.Kind.RATE_LIMITED;
                retryable = true;
            }
            default -> {
                if (status >= 500) {
                    kind = ArgoError.Kind.SERVER_ERROR;
                    retryable = status != 501;
                } else {
                    kind = ArgoError.Kind.HTTP;
                    retryable = false;
                }
            }
        }
        return new ArgoError(kind, status, code, message, retryable);
    }

    private static boolean retrySafe(ArgoError err, Exchange ex, boolean idempotent) {
        if (!err.retryable()) return false;
        return switch (err.kind()) {
            case RATE_LIMITED -> true;
            case CONNECTION -> idempotent || !ex.sent();
            case TIMEOUT -> idempotent;
            case SERVER_ERROR -> idempotent || err.httpStatus() == 503;
            default -> false;
        };
    }

    private Duration delay(int attempt, Duration retryAfter) {
        if (retryAfter != null) return retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
        Duration d = config.retryBackoff().multipliedBy(1L << Math.min(attempt, 10));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    private static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) return null;
        try {
            long s = Long.parseLong(header.trim());
            return s < 0 ? null : Duration.ofSeconds(s);
        } catch (NumberFormatException e) {
            return null; // an HTTP date: fall back to our back-off
        }
    }

    private static String text(JsonNode n) {
        return n == null || !n.isTextual() || n.asText().isBlank() ? null : n.asText();
    }

    private static String abbreviate(String s) {
        if (s == null) return null;
        return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "...";
    }
}

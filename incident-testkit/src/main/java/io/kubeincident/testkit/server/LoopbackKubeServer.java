package io.kubeincident.testkit.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.openapi.ApiClient;
import okhttp3.OkHttpClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Kubernetes API server on 127.0.0.1 for tests, driven by the real client-java.
 *
 * <p>Objects live in fabric8's CRUD mock store; the gaps it has as an API server are filled here:
 * watches over plain HTTP (newline-delimited events, resourceVersion honoured, 410 when too old),
 * apiVersion/kind defaulting, pod eviction with PodDisruptionBudgets, the {@code /scale}
 * subresource, merge and (approximated) strategic-merge patches, set-based label selectors, field
 * selectors on any path, {@code dryRun=All}, {@code limit}/{@code continue}, pod logs and minimal
 * discovery. The HTTP front is our own small server ({@code HttpFront}): fabric8's web server can
 * only answer with a complete body, so it cannot stream a watch.
 *
 * <p>Thread-safe. No admission, defaulting of specs, controllers or garbage collection: see
 * {@code io.kubeincident.testkit.sim.ControllerEmulator} for a small stand-in.
 */
public final class LoopbackKubeServer implements AutoCloseable {

    /** fabric8's loggers are chatty; held strongly so the level sticks. */
    private static final List<Logger> SILENCED = List.of(Logger.getLogger("io.fabric8.mockwebserver"),
            Logger.getLogger("io.fabric8.kubernetes.client.server.mock"), Logger.getLogger("io.vertx"));

    static {
        SILENCED.forEach(l -> l.setLevel(Level.OFF));
    }

    private static final Duration API_TIMEOUT = Duration.ofSeconds(10);
    private static final long WATCH_DEFAULT_SECONDS = 1800;

    private final KubeApi api;
    private final HttpFront front;
    private final String baseUrl;
    /** Shared by the clients handed out, so they share one connection pool. */
    private final OkHttpClient apiHttp;
    private final OkHttpClient informerHttp;
    private volatile boolean closed;
    /** The last requests, "METHOD /path?query", oldest first, for tests that assert what a client did. */
    private final java.util.Deque<String> requestLog = new java.util.ArrayDeque<>();
    private static final int REQUEST_LOG_MAX = 10_000;
    private static final String ADMIN_TOKEN = "loopback-admin-token";
    private static final int DECISIONS_MAX = 100_000;

    /** Bearer token to identity; the admin token is the one {@link #apiClient()} sends. */
    private final Map<String, RbacAuthorizer.Identity> tokens = new ConcurrentHashMap<>();
    private volatile boolean rbacEnforced;
    /** Distinct decisions, in the order first made. */
    private final Set<RbacDecision> decisions = new LinkedHashSet<>();

    private LoopbackKubeServer(int watchHistory) throws IOException {
        api = new KubeApi(watchHistory);
        front = new HttpFront(this::serve);
        baseUrl = "http://127.0.0.1:" + front.port();
        apiHttp = new OkHttpClient.Builder().connectTimeout(API_TIMEOUT).writeTimeout(API_TIMEOUT).readTimeout(API_TIMEOUT).build();
        informerHttp = apiHttp.newBuilder().readTimeout(Duration.ZERO).build();
        tokens.put(ADMIN_TOKEN, RbacAuthorizer.Identity.ADMIN);
    }

    /** Starts a server on a free loopback port. */
    public static LoopbackKubeServer start() {
        return start(WatchHub.DEFAULT_HISTORY);
    }

    /** With a small watch history, to test clients against 410 Expired. */
    static LoopbackKubeServer start(int watchHistory) {
        try {
            return new LoopbackKubeServer(watchHistory);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the loopback API server", e);
        }
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        return baseUrl;
    }

    /** A new client as production code uses it: finite connect/read/write timeouts (10 s). */
    public ApiClient apiClient() {
        return client(apiHttp);
    }

    /** A new client for {@code SharedInformerFactory} and watches: read timeout 0, as client-java's informers require. */
    public ApiClient informerApiClient() {
        return client(informerHttp);
    }

    private ApiClient client(OkHttpClient http) {
        // The test's own client is the cluster administrator (system:masters): never subject to RBAC.
        ApiClient c = new ApiClient(http.newBuilder().addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
                .header("Authorization", "Bearer " + ADMIN_TOKEN).build())).build());
        c.setBasePath(baseUrl);
        return c;
    }

    // ---------------------------------------------------------------- RBAC

    /**
     * Turns RBAC enforcement on (it is off by default): from now on every request is authorized as the
     * Kubernetes RBAC authorizer does, against the Roles, ClusterRoles and bindings in the store (load them
     * with {@link #loadRbac(String)} or create them through the API). Requests of {@link #apiClient()} are
     * the administrator's and always allowed; those of {@link #apiClientAs(String, String)} are the service
     * account's; a request without a token is {@code system:anonymous}; an unknown token is 401. A denial is
     * the real server's 403 Status. Every decision on a non-administrator request is recorded
     * ({@link #rbacDecisions()}).
     */
    public LoopbackKubeServer enforceRbac() {
        rbacEnforced = true;
        return this;
    }

    /** Whether {@link #enforceRbac()} was called. */
    public boolean rbacEnforced() {
        return rbacEnforced;
    }

    /**
     * Creates (or replaces) the Roles, ClusterRoles, RoleBindings and ClusterRoleBindings of a multi-document
     * YAML such as a deploy/rbac.yaml, as the administrator. Any other kind is an error: nothing of it is created.
     */
    public void loadRbac(String yaml) {
        List<ObjectNode> docs = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (Object doc : new org.yaml.snakeyaml.Yaml().loadAll(yaml)) {
            if (doc == null) continue;
            if (!(doc instanceof Map<?, ?>)) throw new IllegalArgumentException("not a Kubernetes object: " + doc);
            ObjectNode o = json.valueToTree(doc);
            String kind = o.path("kind").asText();
            if (!List.of("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding").contains(kind)
                    || !o.path("apiVersion").asText().startsWith(RbacAuthorizer.GROUP + "/")) {
                throw new IllegalArgumentException("loadRbac takes rbac.authorization.k8s.io Roles, ClusterRoles and bindings, not "
                        + o.path("apiVersion").asText() + " " + kind);
            }
            boolean namespaced = kind.equals("Role") || kind.equals("RoleBinding");
            if (o.path("metadata").path("name").asText("").isEmpty()
                    || namespaced && o.path("metadata").path("namespace").asText("").isEmpty()) {
                throw new IllegalArgumentException(kind + " needs metadata.name" + (namespaced ? " and metadata.namespace" : ""));
            }
            docs.add(o);
        }
        for (ObjectNode o : docs) {
            String kind = o.path("kind").asText();
            String plural = kind.toLowerCase(java.util.Locale.ROOT) + "s";
            String ns = o.path("metadata").path("namespace").asText("");
            String collection = "/apis/" + o.path("apiVersion").asText() + (ns.isEmpty() || !(kind.equals("Role")
                    || kind.equals("RoleBinding")) ? "" : "/namespaces/" + ns) + "/" + plural;
            byte[] body = o.toString().getBytes(StandardCharsets.UTF_8);
            KubeApi.Response r = api.handle("POST", collection, "application/json", body);
            if (r.code() == 409) r = api.handle("PUT", collection + "/" + o.path("metadata").path("name").asText(), "application/json", body);
            if (r.code() >= 300) throw new IllegalArgumentException("cannot create " + kind + ": " + r.text());
        }
    }

    /** {@link #loadRbac(String)} from a file. */
    public void loadRbac(Path yamlFile) {
        try {
            loadRbac(Files.readString(yamlFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The bearer token of service account {@code namespace/name} ({@code system:serviceaccount:namespace:name},
     * groups {@code system:serviceaccounts}, {@code system:serviceaccounts:namespace}, {@code system:authenticated}).
     * The ServiceAccount object itself need not exist.
     */
    public String serviceAccountToken(String namespace, String name) {
        if (namespace == null || namespace.isBlank() || name == null || name.isBlank()) {
            throw new IllegalArgumentException("a service account needs a namespace and a name");
        }
        String token = "loopback-sa." + namespace + "." + name;
        tokens.putIfAbsent(token, RbacAuthorizer.Identity.serviceAccount(namespace, name));
        return token;
    }

    /**
     * A client (10 s timeouts) that authenticates as service account {@code namespace/name} with a bearer token,
     * the way client-java's {@code AccessTokenAuthentication} sets one up.
     */
    public ApiClient apiClientAs(String namespace, String name) {
        return tokenClient(apiHttp, serviceAccountToken(namespace, name));
    }

    /** As {@link #apiClientAs(String, String)}, with read timeout 0 for informers and watches. */
    public ApiClient informerApiClientAs(String namespace, String name) {
        return tokenClient(informerHttp, serviceAccountToken(namespace, name));
    }

    private ApiClient tokenClient(OkHttpClient http, String token) {
        ApiClient c = new ApiClient(http);
        c.setBasePath(baseUrl);
        c.setApiKeyPrefix("Bearer");
        c.setApiKey(token);
        return c;
    }

    /** Every distinct authorization decision since the start (or the last clear), in the order first made. */
    public List<RbacDecision> rbacDecisions() {
        synchronized (decisions) {
            return List.copyOf(decisions);
        }
    }

    /** The denied ones of {@link #rbacDecisions()}. */
    public List<RbacDecision> rbacDenials() {
        return rbacDecisions().stream().filter(d -> !d.allowed()).toList();
    }

    public void clearRbacDecisions() {
        synchronized (decisions) {
            decisions.clear();
        }
    }

    /** Null when {@code req} may go on; otherwise the 401 or 403 to answer. */
    private KubeApi.Response authorize(HttpFront.Request req) {
        if (!rbacEnforced) return null;
        RbacAuthorizer.Identity who = RbacAuthorizer.Identity.ANONYMOUS;
        String auth = req.header("authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            who = tokens.get(auth.substring(7).trim());
            if (who == null) return api.status(401, "Unauthorized", "Unauthorized", null, null);
        }
        if (who.admin()) return null;
        RbacAuthorizer.Attributes a = RbacAuthorizer.attributes(req.method(), req.rawPath());
        String grant = RbacAuthorizer.grant(who, a, api.rbacPolicy());
        RbacDecision d = new RbacDecision(who.user(), a.verb(), a.apiGroup(), a.resource(), a.subresource(), a.namespace(),
                a.name(), a.path(), grant != null, grant);
        synchronized (decisions) {
            if (decisions.size() < DECISIONS_MAX) decisions.add(d);
        }
        if (grant != null) return null;
        return api.forbidden(RbacAuthorizer.forbiddenMessage(who, a), a.apiGroup(), a.resource(), a.name());
    }

    /**
     * Answers {@code GET /api/v1/namespaces/{ns}/pods/{pod}/log} with {@code text}. {@code container}
     * null matches requests without a container parameter; {@code previous} matches the
     * {@code previous=true} query. The pod must exist when the log is requested.
     */
    public void expectPodLog(String ns, String pod, String container, boolean previous, String text) {
        api.expectPodLog(ns, pod, container, previous, text == null ? "" : text);
    }

    /**
     * Answers every log request of {@code pod} with {@code body} and {@code contentType} as given, the way a
     * misbehaving API server or proxy may (a JSON document, an HTML error page), to test how clients cope.
     */
    public void expectPodLogAnswer(String ns, String pod, String contentType, String body) {
        api.expectPodLogAnswer(ns, pod, contentType, body == null ? "" : body);
    }

    /** Deletes every object (open watches see DELETED events) and forgets expected logs. */
    public void reset() {
        api.reset();
    }

    /**
     * The requests served so far (at most the last 10,000), each {@code "METHOD /path?query"} as sent,
     * oldest first: lets a test assert, for example, that a dry run sent no DELETE without
     * {@code dryRun=All}, or that an informer listed only once.
     */
    public java.util.List<String> requestLog() {
        synchronized (requestLog) {
            return java.util.List.copyOf(requestLog);
        }
    }

    public void clearRequestLog() {
        synchronized (requestLog) {
            requestLog.clear();
        }
    }

    /** Number of watches currently open (for tests of watch clean-up). */
    public int openWatches() {
        return api.hub.openWatches();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        front.close();
        apiHttp.connectionPool().evictAll();
        apiHttp.dispatcher().executorService().shutdown();
    }

    // ---------------------------------------------------------------- HTTP

    private void serve(HttpFront.Request req, HttpFront.Exchange ex) throws IOException {
        synchronized (requestLog) {
            requestLog.addLast(req.method() + " " + req.rawPath());
            if (requestLog.size() > REQUEST_LOG_MAX) requestLog.removeFirst();
        }
        KubeApi.Response refused = authorize(req);
        if (refused != null) {
            ex.respond(refused.code(), refused.contentType(), refused.body());
            return;
        }
        ApiPath p = ApiPath.parse(req.rawPath());
        if (req.method().equals("GET") && p != null && p.flag("watch")) {
            watch(ex, p);
            return;
        }
        KubeApi.Response r = api.handle(req.method(), req.rawPath(), req.header("content-type"), req.header("accept"), req.body());
        ex.respond(r.code(), r.contentType(), r.body());
    }

    /** Bookmarks on a long watch that asked for them (a real server sends about one a minute). */
    static final Duration BOOKMARK_EVERY = Duration.ofSeconds(10);

    private void watch(HttpFront.Exchange ex, ApiPath p) throws IOException {
        KubeApi.WatchStart start = api.startWatch(p);
        if (start.code() != 200) {
            ex.respond(start.code(), "application/json", start.error().getBytes(StandardCharsets.UTF_8));
            return;
        }
        long seconds = WATCH_DEFAULT_SECONDS;
        String t = p.param("timeoutSeconds");
        if (t != null && !t.isEmpty()) {
            try {
                seconds = Math.max(1, Long.parseLong(t));
            } catch (NumberFormatException ignored) {
                // keep the default
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        try (KubeApiSubscription sub = new KubeApiSubscription(start.subscription())) {
            ex.startStream("application/json");
            for (String line : start.initial()) ex.writeChunk((line + "\n").getBytes(StandardCharsets.UTF_8));
            boolean bookmarks = p.flag("allowWatchBookmarks");
            long nextBookmark = System.nanoTime() + BOOKMARK_EVERY.toNanos();
            if (sub.s != null) {
                while (!front.closed() && System.nanoTime() < deadline) {
                    // Wait on the events, not on the socket, so an event goes out as soon as it is published; an
                    // idle watch checks every 50 ms whether its client went away.
                    String line = sub.s.poll(50);
                    if (line == null) {
                        if (bookmarks && System.nanoTime() >= nextBookmark) {
                            ex.writeChunk((api.bookmark(p) + "\n").getBytes(StandardCharsets.UTF_8));
                            nextBookmark = System.nanoTime() + BOOKMARK_EVERY.toNanos();
                        }
                        if (ex.clientGone(1)) return;
                        continue;
                    }
                    do {
                        ex.writeChunk((line + "\n").getBytes(StandardCharsets.UTF_8));
                    } while ((line = sub.s.poll(0)) != null);
                }
                // like a real server at the watch's timeout: where to resume from
                if (bookmarks) ex.writeChunk((api.bookmark(p) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            ex.endStream();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes a subscription that may be null. */
    private record KubeApiSubscription(WatchHub.Subscription s) implements AutoCloseable {
        @Override
        public void close() {
            if (s != null) s.close();
        }
    }
}

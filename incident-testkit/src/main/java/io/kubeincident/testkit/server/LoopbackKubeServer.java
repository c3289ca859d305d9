package io.kubeincident.testkit.server;

import io.kubernetes.client.openapi.ApiClient;
import okhttp3.OkHttpClient;

import java.io.IOException;
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

    private LoopbackKubeServer(int watchHistory) throws IOException {
        api = new KubeApi(watchHistory);
        front = new HttpFront(this::serve);
        baseUrl = "http://127.0.0.1:" + front.port();
        apiHttp = new OkHttpClient.Builder().connectTimeout(API_TIMEOUT).writeTimeout(API_TIMEOUT).readTimeout(API_TIMEOUT).build();
        informerHttp = apiHttp.newBuilder().readTimeout(Duration.ZERO).build();
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
        ApiClient c = new ApiClient(http);
        c.setBasePath(baseUrl);
        return c;
    }

    /**
     * Answers {@code GET /api/v1/namespaces/{ns}/pods/{pod}/log} with {@code text}. {@code container}
     * null matches requests without a container parameter; {@code previous} matches the
     * {@code previous=true} query. The pod must exist when the log is requested.
     */
    public void expectPodLog(String ns, String pod, String container, boolean previous, String text) {
        api.expectPodLog(ns, pod, container, previous, text == null ? "" : text);
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
        ApiPath p = ApiPath.parse(req.rawPath());
        if (req.method().equals("GET") && p != null && p.flag("watch")) {
            watch(ex, p);
            return;
        }
        KubeApi.Response r = api.handle(req.method(), req.rawPath(), req.header("content-type"), req.body());
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
                    String line;
                    while ((line = sub.s.poll(0)) != null) {
                        ex.writeChunk((line + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                    if (bookmarks && System.nanoTime() >= nextBookmark) {
                        ex.writeChunk((api.bookmark(p) + "\n").getBytes(StandardCharsets.UTF_8));
                        nextBookmark = System.nanoTime() + BOOKMARK_EVERY.toNanos();
                    }
                    if (ex.clientGone(50)) return;
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

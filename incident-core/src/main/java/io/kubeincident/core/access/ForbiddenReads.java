package io.kubeincident.core.access;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubernetes.client.openapi.ApiClient;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Notices every read the API server refuses (403 on a GET: get, list or watch), whoever made it (the
 * informers, evidence gathering, a safety policy, an action's read before its write), and reports each
 * missing permission once at WARN, naming the verb, the resource and what to run to fix it. Installed as
 * an OkHttp interceptor on the engine's {@link ApiClient} before the engine is built, so that every copy
 * of the client (the informers' one included) carries it. {@link #denials()} is what a host shows in its
 * readiness details. Thread-safe.
 */
public final class ForbiddenReads implements Interceptor {
    private static final Logger LOG = LoggerFactory.getLogger(ForbiddenReads.class);
    private static final int MAX_MESSAGE = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One missing read permission.
     *
     * @param verb      get, list or watch
     * @param apiGroup  empty for the core group
     * @param resource  the plural resource, with its subresource ({@code pods/log})
     * @param message   the API server's message of the first refusal
     * @param first     when it was first refused
     * @param count     how many requests it has refused since
     */
    public record Denial(String verb, String apiGroup, String resource, String message, Instant first, long count) {
        /** {@code get configmaps} or {@code list deployments.apps}. */
        public String permission() {
            return verb + " " + (apiGroup.isEmpty() ? resource : resource + "." + apiGroup);
        }
    }

    private final String hint;
    private final Clock clock;
    private final Map<String, Denial> denials = new LinkedHashMap<>();

    /**
     * @param hint how to fix it, for the log line and readiness details (for example which command prints
     *             the RBAC the configuration needs)
     */
    public ForbiddenReads(String hint, Clock clock) {
        this.hint = Objects.requireNonNull(hint, "hint");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Adds a new {@code ForbiddenReads} to {@code client}'s HTTP client and returns it. */
    public static ForbiddenReads install(ApiClient client, String hint) {
        ForbiddenReads f = new ForbiddenReads(hint, Clock.systemUTC());
        client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(f).build());
        return f;
    }

    public String hint() {
        return hint;
    }

    /** The missing permissions seen so far, in the order first seen. */
    public List<Denial> denials() {
        synchronized (denials) {
            return List.copyOf(denials.values());
        }
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        Response response = chain.proceed(request);
        if (response.code() == 403 && request.method().equals("GET")) {
            String[] access = access(request);
            if (access != null) {
                String message = "";
                try {
                    ResponseBody peek = response.peekBody(8192);
                    message = messageOf(peek.string());
                } catch (IOException | RuntimeException e) {
                    // the refusal is what matters; its text is a bonus
                }
                record(access[0], access[1], access[2], message);
            }
        }
        return response;
    }

    private void record(String verb, String group, String resource, String message) {
        String key = verb + " " + group + "/" + resource;
        boolean first;
        synchronized (denials) {
            Denial d = denials.get(key);
            first = d == null;
            denials.put(key, first ? new Denial(verb, group, resource, message, clock.instant(), 1)
                    : new Denial(d.verb(), d.apiGroup(), d.resource(), d.message(), d.first(), d.count() + 1));
        }
        if (first) {
            LOG.warn("missing permission: the API server refused to {} {} (API group \"{}\"): {}. What needs it is left out "
                    + "(detection of that kind, or that part of an incident's evidence). {}", verb, resource, group, message, hint);
        }
    }

    /** {verb, group, resource[/subresource]} of a read request, or null for a non-resource path. */
    static String[] access(Request request) {
        List<String> seg = new ArrayList<>(request.url().pathSegments());
        seg.removeIf(String::isEmpty);
        String group;
        List<String> rest;
        if (seg.size() >= 3 && seg.get(0).equals("api")) {
            group = "";
            rest = seg.subList(2, seg.size());
        } else if (seg.size() >= 4 && seg.get(0).equals("apis")) {
            group = seg.get(1);
            rest = seg.subList(3, seg.size());
        } else {
            return null;
        }
        if (rest.get(0).equals("namespaces") && rest.size() > 2 && !List.of("status", "finalize").contains(rest.get(2))) {
            rest = rest.subList(2, rest.size());
        }
        String resource = rest.get(0) + (rest.size() > 2 ? "/" + rest.get(2) : "");
        boolean named = rest.size() > 1;
        String watch = request.url().queryParameter("watch");
        String verb = named ? "get" : "true".equals(watch) || "1".equals(watch) ? "watch" : "list";
        return new String[]{verb, group, resource};
    }

    private static String messageOf(String body) {
        String m;
        try {
            m = JSON.readTree(body).path("message").asText(body);
        } catch (IOException e) {
            m = body;
        }
        m = m.replaceAll("\\s+", " ").trim();
        return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "..." : m;
    }
}

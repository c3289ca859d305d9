package io.kubeincident.core.action;

import io.kubernetes.client.openapi.ApiClient;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Makes the real client see API faults the loopback server would not produce on its own: an OkHttp
 * interceptor on the test's ApiClient that answers matching requests with a Kubernetes Status of the given
 * code (or a read timeout) a given number of times, and passes everything else to the server. Records every
 * request it sees.
 */
final class FaultInjector implements Interceptor {

    private record Rule(String method, Pattern path, int status, AtomicInteger remaining) {
    }

    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    /** A client for {@code server} whose calls pass through this injector. */
    ApiClient wrap(ApiClient base) {
        ApiClient c = new ApiClient(base.getHttpClient().newBuilder().addInterceptor(this).build());
        c.setBasePath(base.getBasePath());
        return c;
    }

    /** Answers the next {@code times} requests {@code method} on a path matching {@code pathRegex} with {@code status} (0: time out). */
    FaultInjector fail(String method, String pathRegex, int status, int times) {
        rules.add(new Rule(method, Pattern.compile(pathRegex), status, new AtomicInteger(times)));
        return this;
    }

    /** Requests seen so far, as {@code METHOD path?query}. */
    List<String> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    long count(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        return seen().stream().filter(s -> s.startsWith(method + " ") && p.matcher(s.substring(method.length() + 1).split("\\?")[0]).find()).count();
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        var req = chain.request();
        String path = req.url().encodedPath();
        seen.add(req.method() + " " + path + (req.url().encodedQuery() == null ? "" : "?" + req.url().encodedQuery()));
        for (Rule r : rules) {
            if (!r.method().equals(req.method()) || !r.path().matcher(path).find()) continue;
            if (r.remaining().getAndUpdate(n -> Math.max(0, n - 1)) <= 0) continue;
            if (r.status() == 0) throw new SocketTimeoutException("timeout (injected)");
            String reason = switch (r.status()) {
                case 403 -> "Forbidden";
                case 404 -> "NotFound";
                case 409 -> "Conflict";
                case 429 -> "TooManyRequests";
                default -> "InternalError";
            };
            String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"injected " + r.status()
                    + "\",\"reason\":\"" + reason + "\",\"code\":" + r.status() + "}";
            return new Response.Builder().request(req).protocol(Protocol.HTTP_1_1).code(r.status()).message(reason)
                    .body(ResponseBody.create(body, MediaType.get("application/json"))).build();
        }
        return chain.proceed(req);
    }
}

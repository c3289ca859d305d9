package io.kubeincident.openai;

import io.kubeincident.api.Redactor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Chat Completions over OkHttp, for every provider flavour (URL and auth header from {@link OpenAiConfig}).
 * Retries 408, 409, 429 and 5xx and network errors with exponential backoff, honouring the server's
 * {@code retry-after-ms} / {@code retry-after} (capped at {@code llm.retry_max_delay}) and
 * {@code x-should-retry}; never retries {@code insufficient_quota}; every attempt and every wait fits in
 * the caller's deadline. Thread-safe.
 */
final class ChatCompletionClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChatCompletionClient.class);
    private static final MediaType JSON = MediaType.get("application/json");
    /** A chat completion for one diagnosis is a few KiB; anything this large is not one. */
    static final int MAX_RESPONSE_BYTES = 1 << 20;
    static final int MAX_ERROR_MESSAGE_CHARS = 500;

    /** Waits between attempts; a seam so tests can see the delays without waiting for them. */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /** A point in monotonic time that bounds one analysis. */
    record Deadline(long endNanos) {
        static Deadline after(Duration d) {
            return new Deadline(System.nanoTime() + d.toNanos());
        }

        Duration remaining() {
            return Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
        }

        boolean passed() {
            return endNanos - System.nanoTime() <= 0;
        }
    }

    private final OpenAiConfig config;
    private final OkHttpClient http;
    private final Sleeper sleeper;
    private final Clock clock;
    private final ObjectMapper mapper = new ObjectMapper();

    ChatCompletionClient(OpenAiConfig config, Clock clock) {
        this(config, defaultHttp(config), d -> Thread.sleep(Math.max(1, d.toMillis())), clock);
    }

    ChatCompletionClient(OpenAiConfig config, OkHttpClient http, Sleeper sleeper, Clock clock) {
        this.config = config;
        this.http = http;
        this.sleeper = sleeper;
        this.clock = clock;
    }

    static OkHttpClient defaultHttp(OpenAiConfig config) {
        return new OkHttpClient.Builder()
                .connectTimeout(config.connectTimeout())
                .readTimeout(config.readTimeout())
                .writeTimeout(config.readTimeout())
                .retryOnConnectionFailure(false)
                .followRedirects(false)
                .build();
    }

    ChatResult complete(ObjectNode body, Deadline deadline) {
        byte[] payload;
        try {
            payload = mapper.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the request", e);
        }
        Request request = request(payload);
        int attempts = 0;
        ChatResult.Failure last = null;
        while (true) {
            if (deadline.passed()) return timeout(attempts, last);
            attempts++;
            Call call = http.newCall(request);
            call.timeout().timeout(Math.max(1, deadline.remaining().toMillis()), TimeUnit.MILLISECONDS);
            Duration retryAfter = null;
            boolean retryable;
            try (Response response = call.execute()) {
                byte[] bytes = read(response.body());
                if (response.isSuccessful()) {
                    return parseCompletion(bytes, attempts);
                }
                last = parseError(response.code(), bytes, attempts);
                retryable = retryable(response, last);
                retryAfter = retryAfter(response);
            } catch (InterruptedIOException e) {
                if (Thread.currentThread().isInterrupted()) return timeout(attempts, last);
                if (deadline.passed()) return timeout(attempts, last);
                last = new ChatResult.Failure(ChatResult.Kind.TIMEOUT, 0, null, null,
                        "no answer within the read timeout", attempts);
                retryable = true;
            } catch (IOException e) {
                last = new ChatResult.Failure(ChatResult.Kind.NETWORK, 0, null, null,
                        e.getClass().getSimpleName() + ": " + Redactor.redact(String.valueOf(e.getMessage())), attempts);
                retryable = true;
            }
            if (!retryable || attempts > config.maxRetries()) return last;
            Duration wait = delay(attempts, retryAfter);
            if (wait.compareTo(deadline.remaining()) >= 0) {
                LOG.debug("not retrying: waiting {} would pass the analysis deadline", wait);
                return last;
            }
            LOG.debug("attempt {} failed ({}); retrying in {}", attempts, last.describe(), wait);
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return timeout(attempts, last);
            }
        }
    }

    /**
     * A start-up check of the key and the model: {@code GET models/{model}} (not for Azure, whose deployments
     * have no such listing), bounded by a few seconds. Returns the failure only when it is surely a
     * configuration error (401, 403, or a 404 that names the model); anything else, including no answer, is
     * left to the real requests.
     */
    java.util.Optional<ChatResult.Failure> preflight() {
        if (config.provider() == OpenAiConfig.Provider.AZURE) return java.util.Optional.empty();
        String base = config.chatCompletionsUrl().toString().replaceAll("/chat/completions$", "");
        Request.Builder b = new Request.Builder().url(base + "/models/" + java.net.URLEncoder.encode(config.model(),
                        java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"))
                .get().header("Accept", "application/json").header("User-Agent", "kube-incident-openai");
        config.key().ifPresent(key -> b.header("Authorization", "Bearer " + key.reveal()));
        if (config.organization() != null) b.header("OpenAI-Organization", config.organization());
        if (config.project() != null) b.header("OpenAI-Project", config.project());
        Call call = http.newCall(b.build());
        call.timeout().timeout(PREFLIGHT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try (Response response = call.execute()) {
            if (response.isSuccessful()) return java.util.Optional.empty();
            ChatResult.Failure f = parseError(response.code(), read(response.body()), 1);
            return configurationError(f) && (f.status() != 404 || namesModel(f)) ? java.util.Optional.of(f)
                    : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    static final Duration PREFLIGHT_TIMEOUT = Duration.ofSeconds(3);

    /** 401/403 (key, organization, project) and 404 (unknown model or deployment, wrong path): no retry can help. */
    static boolean configurationError(ChatResult.Failure f) {
        return f.kind() == ChatResult.Kind.HTTP && (f.status() == 401 || f.status() == 403 || f.status() == 404);
    }

    private static boolean namesModel(ChatResult.Failure f) {
        String code = f.errorCode() == null ? "" : f.errorCode();
        String m = f.message() == null ? "" : f.message().toLowerCase(java.util.Locale.ROOT);
        return code.contains("model") || (m.contains("model") && (m.contains("not found") || m.contains("does not exist")
                || m.contains("not exist") || m.contains("unknown")));
    }

    private Request request(byte[] payload) {
        Request.Builder b = new Request.Builder()
                .url(config.chatCompletionsUrl().toString())
                .post(RequestBody.create(payload, JSON))
                .header("Accept", "application/json")
                .header("User-Agent", "kube-incident-openai");
        config.key().ifPresent(key -> {
            if (config.provider() == OpenAiConfig.Provider.AZURE) b.header("api-key", key.reveal());
            else b.header("Authorization", "Bearer " + key.reveal());
        });
        if (config.organization() != null) b.header("OpenAI-Organization", config.organization());
        if (config.project() != null) b.header("OpenAI-Project", config.project());
        return b.build();
    }

    private static byte[] read(ResponseBody body) throws IOException {
        if (body == null) return new byte[0];
        try (InputStream in = body.byteStream()) {
            return in.readNBytes(MAX_RESPONSE_BYTES + 1);
        }
    }

    private ChatResult parseCompletion(byte[] bytes, int attempts) {
        if (bytes.length > MAX_RESPONSE_BYTES) {
            return badResponse("response larger than " + MAX_RESPONSE_BYTES + " bytes", attempts);
        }
        JsonNode root;
        try {
            root = mapper.readTree(bytes);
        } catch (IOException e) {
            return badResponse("2xx body is not JSON: " + snippet(bytes), attempts);
        }
        if (root == null || !root.isObject()) return badResponse("2xx body is not a JSON object", attempts);
        if (root.has("error") && !root.has("choices")) {
            ChatResult.Failure f = parseError(200, bytes, attempts);
            return badResponse("error in a 2xx body: " + f.message(), attempts);
        }
        JsonNode choices = root.get("choices");
        if (choices == null || !choices.isArray() || choices.isEmpty()) return badResponse("no choices in the answer", attempts);
        JsonNode choice = choices.get(0);
        JsonNode message = choice.path("message");
        String content = content(message.get("content"));
        String refusal = message.path("refusal").isTextual() && !message.path("refusal").asText().isBlank()
                ? message.path("refusal").asText() : null;
        String finish = choice.path("finish_reason").isTextual() ? choice.path("finish_reason").asText() : null;
        JsonNode u = root.get("usage");
        ChatResult.Usage usage = ChatResult.Usage.NONE;
        if (u != null && u.isObject()) {
            int prompt = u.path("prompt_tokens").asInt(0);
            int completion = u.path("completion_tokens").asInt(0);
            int total = u.path("total_tokens").asInt(prompt + completion);
            usage = new ChatResult.Usage(prompt, completion, u.path("prompt_tokens_details").path("cached_tokens").asInt(0),
                    total, true);
        }
        return new ChatResult.Completion(root.path("id").asText(""), root.path("model").asText(""), content, refusal,
                finish, usage, attempts);
    }

    /** Text content; some compatible servers send a list of content parts instead of a string. */
    private static String content(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (node.isTextual()) return node.asText();
        if (node.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : node) if (part.path("text").isTextual()) sb.append(part.path("text").asText());
            return sb.toString();
        }
        return null;
    }

    /**
     * Reads the error shapes of every flavour: OpenAI/Azure/Ollama/LiteLLM {@code {"error":{...}}} with a
     * string or integer code, vLLM's top-level {@code {"object":"error",...}}, a bare {@code {"error":"..."}},
     * or a non-JSON body (a proxy's HTML page).
     */
    ChatResult.Failure parseError(int status, byte[] bytes, int attempts) {
        String message = null;
        String type = null;
        String code = null;
        try {
            JsonNode root = mapper.readTree(bytes);
            JsonNode err = root == null ? null : root.get("error");
            JsonNode holder = null;
            if (err != null && err.isObject()) holder = err;
            else if (err != null && err.isTextual()) message = err.asText();
            else if (root != null && "error".equals(root.path("object").asText())) holder = root;
            else if (root != null && root.path("message").isTextual()) holder = root;
            if (holder != null) {
                message = holder.path("message").isTextual() ? holder.path("message").asText() : null;
                type = scalar(holder.get("type"));
                code = scalar(holder.get("code"));
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: keep a bounded snippet
        }
        if (message == null) message = snippet(bytes);
        ChatResult.Kind kind = status == 429 && ("insufficient_quota".equals(code) || "insufficient_quota".equals(type))
                ? ChatResult.Kind.QUOTA : ChatResult.Kind.HTTP;
        return new ChatResult.Failure(kind, status, type, code, bound(Redactor.redact(bound2x(message))), attempts);
    }

    private static boolean retryable(Response response, ChatResult.Failure failure) {
        if (failure.kind() == ChatResult.Kind.QUOTA) return false;
        String should = response.header("x-should-retry");
        if ("true".equalsIgnoreCase(should)) return true;
        if ("false".equalsIgnoreCase(should)) return false;
        int s = response.code();
        return s == 408 || s == 409 || s == 429 || s >= 500;
    }

    /** The server's requested delay, when it gave a usable one. */
    private Duration retryAfter(Response response) {
        String ms = response.header("retry-after-ms");
        if (ms != null) {
            try {
                double v = Double.parseDouble(ms.trim());
                if (v >= 0 && Double.isFinite(v)) return Duration.ofMillis((long) v);
            } catch (NumberFormatException ignored) {
                // fall through to retry-after
            }
        }
        String ra = response.header("retry-after");
        if (ra == null) return null;
        try {
            double seconds = Double.parseDouble(ra.trim());
            if (seconds >= 0 && Double.isFinite(seconds)) return Duration.ofMillis((long) (seconds * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(ra.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException ignored) {
                // unusable header: back off on our own
            }
        }
        return null;
    }

    /** The server's delay if it gave one, else exponential backoff with jitter; capped either way. */
    Duration delay(int attempt, Duration serverAsked) {
        Duration cap = config.retryMaxDelay();
        if (serverAsked != null) return serverAsked.compareTo(cap) > 0 ? cap : serverAsked;
        long base = config.retryBackoff().toMillis() << Math.min(attempt - 1, 16);
        long jittered = (long) (base * (0.75 + 0.25 * ThreadLocalRandom.current().nextDouble()));
        return Duration.ofMillis(Math.min(Math.max(1, jittered), cap.toMillis()));
    }

    private static ChatResult.Failure timeout(int attempts, ChatResult.Failure last) {
        // the attempt count is said once, by describe() of the timeout itself
        String detail = last == null ? "" : " (last error: " + last.describeWithoutAttempts() + ")";
        return new ChatResult.Failure(ChatResult.Kind.TIMEOUT, last == null ? 0 : last.status(),
                last == null ? null : last.errorType(), last == null ? null : last.errorCode(),
                "analysis deadline passed" + detail, attempts);
    }

    private static ChatResult.Failure badResponse(String message, int attempts) {
        return new ChatResult.Failure(ChatResult.Kind.BAD_RESPONSE, 200, null, null, bound(Redactor.redact(message)), attempts);
    }

    private static String scalar(JsonNode n) {
        return n == null || n.isNull() || !n.isValueNode() ? null : n.asText();
    }

    private static String snippet(byte[] bytes) {
        String s = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
        return bytes.length > 300 ? s + "..." : s;
    }

    /** Bounded work for the redactor on a huge server message; the bound cuts it further afterwards. */
    private static String bound2x(String s) {
        return s == null || s.length() <= 2 * MAX_ERROR_MESSAGE_CHARS ? s : s.substring(0, 2 * MAX_ERROR_MESSAGE_CHARS);
    }

    private static String bound(String s) {
        return s == null || s.length() <= MAX_ERROR_MESSAGE_CHARS ? s : s.substring(0, MAX_ERROR_MESSAGE_CHARS) + "...";
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}

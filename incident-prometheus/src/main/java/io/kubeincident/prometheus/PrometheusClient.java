package io.kubeincident.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.Credentials;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Prometheus HTTP API ({@code /api/v1/query}, {@code /api/v1/query_range}) over OkHttp. Every query has a
 * deadline ({@code prometheus.query_timeout}, also sent to Prometheus as {@code timeout}) and a bounded answer
 * ({@code prometheus.max_response_bytes}, {@code prometheus.max_series}). Failures are values
 * ({@link PromResult.Unavailable}) with a one-line reason, never exceptions. Thread-safe.
 */
public final class PrometheusClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrometheusConfig config;
    private final HttpUrl base;
    private final OkHttpClient http;
    private final String authorization;
    private final AtomicLong queries = new AtomicLong();

    public PrometheusClient(PrometheusConfig config) {
        if (config.url() == null) throw new IllegalArgumentException("prometheus.url is not set");
        this.config = config;
        this.base = HttpUrl.get(config.url().toString());
        OkHttpClient.Builder b = new OkHttpClient.Builder()
                .connectTimeout(config.connectTimeout())
                .readTimeout(config.queryTimeout())
                .callTimeout(config.queryTimeout().plusSeconds(1))
                .retryOnConnectionFailure(false);
        if (config.caFile() != null) trustCa(b);
        this.http = b.build();
        this.http.dispatcher().setMaxRequestsPerHost(16);
        if (config.bearerToken() != null) authorization = "Bearer " + config.bearerToken();
        else if (config.username() != null) authorization = Credentials.basic(config.username(), config.password());
        else authorization = null;
    }

    public PrometheusConfig config() {
        return config;
    }

    /** How many queries this client has sent (for the benchmark and metrics). */
    public long queryCount() {
        return queries.get();
    }

    /** An instant query at {@code at} ({@code null}: now). */
    public PromResult query(String promql, Instant at) {
        FormBody.Builder form = new FormBody.Builder().add("query", promql).add("timeout", seconds(config.queryTimeout()));
        if (at != null) form.add("time", seconds(at));
        return post("api/v1/query", form.build());
    }

    /** A range query from {@code start} to {@code end} every {@code step}. */
    public PromResult queryRange(String promql, Instant start, Instant end, Duration step) {
        FormBody body = new FormBody.Builder().add("query", promql).add("start", seconds(start)).add("end", seconds(end))
                .add("step", Double.toString(step.toMillis() / 1000.0)).add("timeout", seconds(config.queryTimeout())).build();
        return post("api/v1/query_range", body);
    }

    private PromResult post(String path, FormBody body) {
        queries.incrementAndGet();
        Request.Builder rb = new Request.Builder().url(base.newBuilder().addPathSegments(path).build()).post(body)
                .header("Accept", "application/json");
        if (authorization != null) rb.header("Authorization", authorization);
        try (Response r = http.newCall(rb.build()).execute()) {
            ResponseBody rbody = r.body();
            byte[] raw = readBounded(rbody.byteStream(), config.maxResponseBytes());
            if (raw == null) return PromResult.unavailable("answer larger than " + config.maxResponseBytes() + " bytes (prometheus.max_response_bytes)");
            JsonNode json = null;
            try {
                json = JSON.readTree(raw);
            } catch (IOException e) {
                // not JSON: a proxy's error page
            }
            if (!r.isSuccessful()) {
                String error = json != null && json.hasNonNull("error") ? ": " + oneLine(json.get("error").asText()) : "";
                return PromResult.unavailable("HTTP " + r.code() + error);
            }
            if (json == null || !"success".equals(json.path("status").asText())) {
                return PromResult.unavailable("not a Prometheus answer" + (json != null && json.hasNonNull("error")
                        ? ": " + oneLine(json.get("error").asText()) : ""));
            }
            return parse(json.path("data"));
        } catch (InterruptedIOException e) {
            return PromResult.unavailable("no answer within " + config.queryTimeout().toMillis() + " ms (prometheus.query_timeout)");
        } catch (IOException e) {
            return PromResult.unavailable("cannot reach " + base + ": " + oneLine(e.getMessage() == null ? e.toString() : e.getMessage()));
        } catch (RuntimeException e) {
            return PromResult.unavailable("unexpected answer: " + oneLine(e.toString()));
        }
    }

    private PromResult parse(JsonNode data) {
        String type = data.path("resultType").asText();
        JsonNode result = data.path("result");
        List<PromResult.Series> series = new ArrayList<>();
        boolean truncated = false;
        if (type.equals("scalar")) {
            series.add(new PromResult.Series(Map.of(), List.of(sample(result))));
            return new PromResult.Ok(series, false);
        }
        if (!type.equals("vector") && !type.equals("matrix")) return PromResult.unavailable("unsupported result type " + type);
        for (JsonNode s : result) {
            if (series.size() >= config.maxSeries()) {
                truncated = true;
                break;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            s.path("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            List<PromResult.Sample> samples = new ArrayList<>();
            if (s.has("value")) samples.add(sample(s.get("value")));
            for (JsonNode v : s.path("values")) samples.add(sample(v));
            series.add(new PromResult.Series(labels, samples));
        }
        return new PromResult.Ok(series, truncated);
    }

    private static PromResult.Sample sample(JsonNode pair) {
        return new PromResult.Sample(pair.get(0).asDouble(), parseValue(pair.get(1).asText()));
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v);
        };
    }

    private static byte[] readBounded(InputStream in, long max) throws IOException {
        byte[] raw = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        return raw.length > max ? null : raw;
    }

    static String oneLine(String s) {
        String line = s.replaceAll("\\s+", " ").trim();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    private static String seconds(Instant t) {
        return String.format(java.util.Locale.ROOT, "%.3f", t.toEpochMilli() / 1000.0);
    }

    private static String seconds(Duration d) {
        return Math.max(1, d.toSeconds()) + "s";
    }

    private void trustCa(OkHttpClient.Builder builder) {
        try (InputStream in = Files.newInputStream(config.caFile())) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certs) store.setCertificateEntry("ca-" + i++, c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            X509TrustManager tm = null;
            for (TrustManager m : tmf.getTrustManagers()) if (m instanceof X509TrustManager x) tm = x;
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[]{tm}, null);
            builder.sslSocketFactory(ctx.getSocketFactory(), tm);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("prometheus.ca_file: cannot load " + config.caFile() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}

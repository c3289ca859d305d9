package io.kubeincident.core.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.core.action.Sleeper;
import io.kubeincident.spi.IncidentListener;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Posts notifications to a webhook: a Slack incoming webhook ({@code {"text": ...}}) or a generic JSON
 * endpoint (the {@link Notification} fields). Listener callbacks only queue the message; one daemon thread
 * sends it, with bounded attempts on 5xx, 429 and network errors. The queue is bounded too: when the
 * endpoint is down for long, the oldest messages are not kept waiting forever, new ones are dropped and
 * counted. The URL (it carries a token) is never logged, only its host.
 */
public final class WebhookNotifier implements IncidentListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The payload shape. */
    public enum Format { SLACK, JSON }

    private final URI url;
    private final Format format;
    private final OkHttpClient http;
    private final Set<String> events;
    private final int attempts;
    private final Duration backoff;
    private final Sleeper sleeper;
    private final ThreadPoolExecutor sender;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    public WebhookNotifier(URI url, Format format, OkHttpClient http, Set<String> events, int attempts, Duration backoff,
                           Sleeper sleeper) {
        this.url = url;
        this.format = format;
        this.http = http;
        this.events = Set.copyOf(events);
        this.attempts = attempts;
        this.backoff = backoff;
        this.sleeper = sleeper;
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(256), r -> {
            Thread t = new Thread(r, "kube-incident-notify-" + url.getHost());
            t.setDaemon(true);
            return t;
        });
    }

    /** A notifier per {@code config} for {@code format} at {@code url}, with its own timeouts. */
    public static WebhookNotifier of(URI url, Format format, NotifierConfig config) {
        OkHttpClient http = new OkHttpClient.Builder().connectTimeout(config.timeout()).readTimeout(config.timeout())
                .writeTimeout(config.timeout()).callTimeout(config.timeout().multipliedBy(2)).followRedirects(false).build();
        return new WebhookNotifier(url, format, http, config.events(), config.attempts(), config.backoff(), Sleeper.SYSTEM);
    }

    public long sent() {
        return sent.get();
    }

    public long failed() {
        return failed.get();
    }

    public long dropped() {
        return dropped.get();
    }

    @Override
    public void onIncidentOpened(Incident incident) {
        submit(Notification.opened(incident));
    }

    @Override
    public void onIncidentAnalyzed(IncidentReport report) {
        submit(Notification.analyzed(report));
    }

    @Override
    public void onApprovalRequested(Incident incident, PlannedAction action, String approvalId) {
        submit(Notification.approvalRequested(incident, action, approvalId));
    }

    @Override
    public void onActionExecuted(Incident incident, PlannedAction action, ActionResult result) {
        submit(Notification.actionExecuted(incident, action, result));
    }

    @Override
    public void onIncidentResolved(Incident incident) {
        submit(Notification.resolved(incident));
    }

    @Override
    public void onIncidentEscalated(Incident incident, String reason) {
        submit(Notification.escalated(incident, reason));
    }

    /** Queues {@code n} if its event is wanted; never blocks, never throws. */
    public void submit(Notification n) {
        if (!events.contains(n.event())) return;
        try {
            sender.execute(() -> send(n));
        } catch (RejectedExecutionException e) {
            long d = dropped.incrementAndGet();
            if (d == 1 || d % 100 == 0) LOG.warn("notification queue to {} is full; dropped {} so far", url.getHost(), d);
        }
    }

    String body(Notification n) {
        Map<String, Object> payload = format == Format.SLACK ? Map.of("text", n.toText()) : n.toJson();
        try {
            return MAPPER.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends one message with bounded attempts; true when the endpoint accepted it. */
    boolean send(Notification n) {
        Request request = new Request.Builder().url(url.toString()).post(RequestBody.create(body(n), JSON)).build();
        String last = "";
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1) {
                try {
                    sleeper.sleep(backoff.multipliedBy(1L << Math.min(10, attempt - 2)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            try (Response r = http.newCall(request).execute()) {
                if (r.isSuccessful()) {
                    sent.incrementAndGet();
                    return true;
                }
                last = "HTTP " + r.code();
                if (r.code() != 429 && r.code() < 500) break;  // the endpoint refuses this message; trying again will not help
            } catch (IOException e) {
                last = e.getClass().getSimpleName();
            }
        }
        failed.incrementAndGet();
        LOG.warn("notification {} for {} to {} failed: {}", n.event(), n.incidentId(), url.getHost(), last);
        return false;
    }

    /** Waits up to {@code timeout} for queued messages to go out, then stops. */
    public void close(Duration timeout) {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) sender.shutdownNow();
        } catch (InterruptedException e) {
            sender.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    @Override
    public String toString() {
        return "WebhookNotifier[" + format + " to " + url.getHost() + "]";
    }
}

package io.kubeincident.core.notify;

import io.kubeincident.api.ConfigView;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code alerting.*} configuration.
 *
 * <ul>
 *   <li>{@code alerting.enabled} (default: true when a URL is set)</li>
 *   <li>{@code alerting.webhook_url}: a generic JSON webhook; a {@code hooks.slack.com} URL is sent in Slack's
 *       format</li>
 *   <li>{@code alerting.slack_webhook_url}: a Slack incoming webhook</li>
 *   <li>{@code alerting.events} (default {@code approval-requested, action-executed, escalated, resolved}):
 *       which events are sent; also {@code opened}, {@code analyzed}</li>
 *   <li>{@code alerting.attempts} (3), {@code alerting.backoff} (1s), {@code alerting.timeout} (5s)</li>
 * </ul>
 * Webhook URLs carry tokens: they are never logged, only their host.
 */
public record NotifierConfig(boolean enabled, URI webhookUrl, URI slackWebhookUrl, Set<String> events, int attempts,
                             Duration backoff, Duration timeout) {

    public static final Set<String> ALL_EVENTS = Set.of("opened", "analyzed", "approval-requested", "action-executed",
            "escalated", "resolved");
    public static final Set<String> DEFAULT_EVENTS = Set.of("approval-requested", "action-executed", "escalated", "resolved");

    public NotifierConfig {
        events = events == null ? DEFAULT_EVENTS : Set.copyOf(events);
    }

    public static NotifierConfig from(ConfigView config) {
        ConfigView a = config.under("alerting");
        List<String> problems = new ArrayList<>();
        URI webhook = url(problems, a, "webhook_url");
        URI slack = url(problems, a, "slack_webhook_url");
        boolean enabled = false;
        int attempts = 3;
        Duration backoff = Duration.ofSeconds(1);
        Duration timeout = Duration.ofSeconds(5);
        Set<String> events = DEFAULT_EVENTS;
        try {
            enabled = a.getBoolean("enabled", webhook != null || slack != null);
            attempts = a.getInt("attempts", 3);
            backoff = a.getDuration("backoff", backoff);
            timeout = a.getDuration("timeout", timeout);
            events = Set.copyOf(a.getList("events", List.copyOf(DEFAULT_EVENTS)).stream()
                    .map(s -> s.toLowerCase(Locale.ROOT)).toList());
        } catch (IllegalArgumentException e) {
            problems.add("alerting." + e.getMessage());
        }
        if (attempts < 1 || attempts > 10) problems.add("alerting.attempts must be 1..10, was " + attempts);
        for (String e : events) if (!ALL_EVENTS.contains(e)) problems.add("alerting.events: unknown event " + e + " (known: " + ALL_EVENTS + ")");
        if (enabled && webhook == null && slack == null) problems.add("alerting.enabled is true but no alerting.webhook_url or alerting.slack_webhook_url is set");
        if (!problems.isEmpty()) throw new IllegalArgumentException("invalid alerting configuration: " + String.join("; ", problems));
        if (webhook != null && slack == null && "hooks.slack.com".equalsIgnoreCase(webhook.getHost())) {
            slack = webhook;
            webhook = null;
        }
        return new NotifierConfig(enabled, webhook, slack, events, attempts, backoff, timeout);
    }

    private static URI url(List<String> problems, ConfigView a, String key) {
        String raw = a.getString(key, null);
        if (raw == null) return null;
        try {
            URI u = URI.create(raw.trim());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http") || u.getHost() == null) {
                problems.add("alerting." + key + " must be an http(s) URL");
                return null;
            }
            return u;
        } catch (IllegalArgumentException e) {
            problems.add("alerting." + key + " is not a URL");  // the value is not repeated: it may hold a token
            return null;
        }
    }
}

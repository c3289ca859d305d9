package io.kubeincident.core.notify;

import io.kubeincident.api.ConfigView;
import io.kubeincident.spi.IncidentListener;

import java.util.ArrayList;
import java.util.List;

/** Builds the configured notifiers ({@code alerting.*}) as incident listeners. */
public final class Notifiers {

    private Notifiers() {
    }

    /** The notifiers {@code config} asks for; empty when alerting is off. Throws for bad configuration. */
    public static List<WebhookNotifier> fromConfig(ConfigView config) {
        NotifierConfig c = NotifierConfig.from(config);
        List<WebhookNotifier> out = new ArrayList<>();
        if (!c.enabled()) return out;
        if (c.slackWebhookUrl() != null) out.add(WebhookNotifier.of(c.slackWebhookUrl(), WebhookNotifier.Format.SLACK, c));
        if (c.webhookUrl() != null) out.add(WebhookNotifier.of(c.webhookUrl(), WebhookNotifier.Format.JSON, c));
        return out;
    }

    public static List<IncidentListener> listeners(ConfigView config) {
        return List.copyOf(fromConfig(config));
    }
}

package io.kubeincident.prometheus;

import io.kubeincident.spi.FindingSource;
import io.kubeincident.spi.FindingSourceProvider;
import io.kubeincident.spi.ProviderContext;

/** PromQL rules, SLO burn rates and anomalies: on when {@code prometheus.url} and any of them are configured. */
public final class MetricsDetectorsProvider implements FindingSourceProvider, io.kubeincident.spi.DeclaresConfiguration {

    @Override
    public boolean enabled(ProviderContext context) {
        var c = context.config();
        return c.getString(PrometheusConfig.PREFIX + "url", null) != null
                && (c.get(PrometheusConfig.PREFIX + "rules").isPresent() || c.get(PrometheusConfig.PREFIX + "slos").isPresent()
                || c.get(PrometheusConfig.PREFIX + "anomalies").isPresent());
    }

    @Override
    public FindingSource create(ProviderContext context) {
        return new MetricsDetectors(new PrometheusClient(PrometheusConfig.from(context.config())), context.clock());
    }

    /** {@code prometheus.*}: PrometheusConfig checks every key and value of its section itself, listing each problem. */
    @Override
    public io.kubeincident.api.ConfigKeys configKeys() {
        return PrometheusConfig.CONFIG_KEYS;
    }
}

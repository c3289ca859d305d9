package io.kubeincident.prometheus;

import io.kubeincident.spi.EvidenceContributor;
import io.kubeincident.spi.EvidenceContributorProvider;
import io.kubeincident.spi.ProviderContext;

/** Metrics evidence from Prometheus, on when {@code prometheus.url} is set and {@code prometheus.evidence.enabled} is not false. */
public final class MetricsEvidenceContributorProvider implements EvidenceContributorProvider, io.kubeincident.spi.DeclaresConfiguration {

    @Override
    public boolean enabled(ProviderContext context) {
        if (context.config().getString(PrometheusConfig.PREFIX + "url", null) == null) return false;
        try {
            return context.config().getBoolean(PrometheusConfig.PREFIX + "evidence.enabled", true);
        } catch (IllegalArgumentException e) {
            return true;  // create() reports the bad value with every other problem
        }
    }

    @Override
    public EvidenceContributor create(ProviderContext context) {
        PrometheusConfig config = PrometheusConfig.from(context.config());
        return new MetricsEvidenceContributor(new PrometheusClient(config), context.clock());
    }

    /** {@code prometheus.*}: PrometheusConfig checks every key and value of its section itself, listing each problem. */
    @Override
    public io.kubeincident.api.ConfigKeys configKeys() {
        return PrometheusConfig.CONFIG_KEYS;
    }
}

package io.kubeincident.core.detect;

import io.kubeincident.api.ConfigView;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.DetectionContext;

import java.time.Clock;
import java.util.Objects;

/** The plain {@link DetectionContext}: a view, the configuration and a clock. */
public record BasicDetectionContext(ClusterView cluster, ConfigView config, Clock clock) implements DetectionContext {
    public BasicDetectionContext {
        Objects.requireNonNull(cluster, "cluster");
        config = config == null ? ConfigView.empty() : config;
        clock = clock == null ? Clock.systemUTC() : clock;
    }
}

package io.kubeincident.core.action;

import io.kubeincident.api.ConfigView;

import java.time.Duration;

/**
 * How {@code drain-node} waits.
 *
 * <ul>
 *   <li>{@code remediation.drain_timeout} (5m): global timeout of one drain, at most 30m; a request's
 *       {@code timeoutSeconds} may shorten it</li>
 *   <li>{@code remediation.drain_eviction_attempts} (5): tries per pod while a PodDisruptionBudget answers 429</li>
 *   <li>{@code remediation.drain_eviction_backoff} (5s): wait between those tries</li>
 *   <li>{@code remediation.drain_poll_interval} (2s): how often to look whether evicted pods are gone</li>
 * </ul>
 */
public record DrainConfig(Duration timeout, int evictionAttempts, Duration evictionBackoff, Duration pollInterval) {

    static final Duration MAX_TIMEOUT = Duration.ofMinutes(30);

    public DrainConfig {
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("remediation.drain_timeout must be within (0, 30m], was " + io.kubeincident.api.ConfigView.formatDuration(timeout));
        }
        if (evictionAttempts < 1 || evictionAttempts > 100) {
            throw new IllegalArgumentException("remediation.drain_eviction_attempts must be 1..100, was " + evictionAttempts);
        }
        if (evictionBackoff == null || evictionBackoff.isNegative()) throw new IllegalArgumentException("remediation.drain_eviction_backoff must be >= 0");
        if (pollInterval == null || pollInterval.isNegative()) throw new IllegalArgumentException("remediation.drain_poll_interval must be >= 0");
    }

    public static DrainConfig defaults() {
        return new DrainConfig(Duration.ofMinutes(5), 5, Duration.ofSeconds(5), Duration.ofSeconds(2));
    }

    public static DrainConfig from(ConfigView config) {
        DrainConfig d = defaults();
        return new DrainConfig(config.getDuration("remediation.drain_timeout", d.timeout()),
                config.getInt("remediation.drain_eviction_attempts", d.evictionAttempts()),
                config.getDuration("remediation.drain_eviction_backoff", d.evictionBackoff()),
                config.getDuration("remediation.drain_poll_interval", d.pollInterval()));
    }
}

package io.kubeincident.core.verify;

import io.kubeincident.api.ConfigView;

import java.time.Duration;

/**
 * {@code verification.*}: {@code enabled} (true), {@code window} (5m: how long to watch after an action),
 * {@code stable_observations} (1: healthy looks in a row to call it resolved, after the incident is no longer detected; 2 or more waits out flapping; in continuous mode one look
 * per sweep).
 */
public record VerificationConfig(boolean enabled, Duration window, int stableObservations) {

    public VerificationConfig {
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("verification.window must be positive, was " + ConfigView.formatDuration(window));
        }
        if (stableObservations < 1 || stableObservations > 100) {
            throw new IllegalArgumentException("verification.stable_observations must be 1..100, was " + stableObservations);
        }
    }

    public static VerificationConfig from(ConfigView config) {
        return new VerificationConfig(config.getBoolean("verification.enabled", true),
                config.getDuration("verification.window", Duration.ofMinutes(5)),
                config.getInt("verification.stable_observations", 1));
    }
}

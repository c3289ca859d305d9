package io.kubeincident.core.action;

import io.kubeincident.api.ConfigView;

import java.time.Duration;

/**
 * How actions retry server errors and timeouts.
 *
 * <ul>
 *   <li>{@code remediation.api_attempts} (default 3): attempts per API call for 5xx, 429 and timeouts</li>
 *   <li>{@code remediation.api_backoff} (default 500ms): first wait, doubled per attempt</li>
 *   <li>{@code remediation.api_max_backoff} (default 5s): cap of one wait</li>
 * </ul>
 */
public record ApiRetryConfig(int attempts, Duration backoff, Duration maxBackoff) {

    public ApiRetryConfig {
        if (attempts < 1 || attempts > 10) throw new IllegalArgumentException("remediation.api_attempts must be 1..10, was " + attempts);
        if (backoff == null || backoff.isNegative()) throw new IllegalArgumentException("remediation.api_backoff must be >= 0");
        if (maxBackoff == null || maxBackoff.compareTo(backoff) < 0) maxBackoff = backoff;
    }

    public static ApiRetryConfig defaults() {
        return new ApiRetryConfig(3, Duration.ofMillis(500), Duration.ofSeconds(5));
    }

    public static ApiRetryConfig from(ConfigView config) {
        ApiRetryConfig d = defaults();
        return new ApiRetryConfig(config.getInt("remediation.api_attempts", d.attempts()),
                config.getDuration("remediation.api_backoff", d.backoff()),
                config.getDuration("remediation.api_max_backoff", d.maxBackoff()));
    }

    /** The wait before attempt {@code n} (1-based, n >= 2). */
    public Duration delayBefore(int n) {
        long factor = 1L << Math.min(20, Math.max(0, n - 2));
        Duration d = backoff.multipliedBy(factor);
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
}

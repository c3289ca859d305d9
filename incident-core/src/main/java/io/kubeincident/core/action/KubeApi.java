package io.kubeincident.core.action;

import io.kubeincident.api.Permission;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.util.PatchUtils;
import io.kubernetes.client.openapi.ApiClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Kubernetes API calls with bounded retries for server errors, throttling and timeouts, and classifies
 * every failure as a {@link KubeCallException} naming the RBAC permission the call needed. Thread-safe.
 */
public final class KubeApi {

    private static final Logger LOG = LoggerFactory.getLogger(KubeApi.class);

    /** One API call. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws ApiException;
    }

    private final ApiRetryConfig retry;
    private final Sleeper sleeper;

    public KubeApi(ApiRetryConfig retry, Sleeper sleeper) {
        this.retry = retry;
        this.sleeper = sleeper;
    }

    /** Retries from {@code remediation.api_*}, waiting for real. */
    public static KubeApi from(io.kubeincident.api.ConfigView config) {
        return new KubeApi(ApiRetryConfig.from(config), Sleeper.SYSTEM);
    }

    public static KubeApi defaults() {
        return new KubeApi(ApiRetryConfig.defaults(), Sleeper.SYSTEM);
    }

    public ApiRetryConfig retry() {
        return retry;
    }

    public Sleeper sleeper() {
        return sleeper;
    }

    /**
     * Runs {@code call}, retrying 5xx, 429 and transport errors up to the configured attempts.
     *
     * @param permission what the call needs (named in a 403)
     * @param object     what it is about, for messages
     */
    public <T> T call(Permission permission, String object, Call<T> call) throws KubeCallException {
        return call(permission, object, true, call);
    }

    /** As {@link #call}, but a 429 is returned at once (evictions blocked by a PodDisruptionBudget have their own loop). */
    public <T> T callNoRetryOn429(Permission permission, String object, Call<T> call) throws KubeCallException {
        return call(permission, object, false, call);
    }

    private <T> T call(Permission permission, String object, boolean retry429, Call<T> call) throws KubeCallException {
        KubeCallException last = null;
        for (int attempt = 1; attempt <= retry.attempts(); attempt++) {
            if (attempt > 1) {
                try {
                    sleeper.sleep(retry.delayBefore(attempt));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new KubeCallException(KubeCallException.Kind.OTHER, 0, permission, object,
                            permission + " on " + object + " interrupted", ie);
                }
            }
            try {
                return call.run();
            } catch (ApiException e) {
                last = KubeCallException.of(e, permission, object);
                boolean retryable = last.is(KubeCallException.Kind.TRANSIENT)
                        || (retry429 && last.is(KubeCallException.Kind.TOO_MANY_REQUESTS));
                if (!retryable) throw last;
                LOG.debug("attempt {}/{} of {} failed: {}", attempt, retry.attempts(), permission, last.getMessage());
            } catch (RuntimeException e) {
                // client-java wraps some transport and parse failures in unchecked exceptions
                throw new KubeCallException(KubeCallException.Kind.OTHER, 0, permission, object,
                        permission + " on " + object + " failed: " + e, e);
            }
        }
        throw new KubeCallException(last.kind(), last.status(), permission, object,
                last.getMessage() + " (gave up after " + retry.attempts() + " attempts)", last);
    }

    /** A patch through {@link PatchUtils} (which sets the content type), with the same retries. */
    public <T> T patch(Class<T> type, Permission permission, String object, String patchFormat, ApiClient client,
                       PatchUtils.PatchCallFunc callFunc) throws KubeCallException {
        return call(permission, object, () -> PatchUtils.patch(type, callFunc, patchFormat, client));
    }
}

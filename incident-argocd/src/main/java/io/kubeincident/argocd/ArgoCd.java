package io.kubeincident.argocd;

import io.kubeincident.argocd.client.ArgoCdClient;
import io.kubeincident.spi.ProviderContext;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the Argo CD providers share: the configuration, one client (one session token), the application
 * cache and the resolver. The providers of this module each get their worker from the same instance for
 * the same configuration, so that the detector, evidence, actions and routing see one picture and log in
 * once. Hosts and tests may build one by hand and pass it to the workers' constructors.
 */
public final class ArgoCd implements AutoCloseable {
    private static final Map<ArgoCdConfig, ArgoCd> SHARED = new ConcurrentHashMap<>();

    private final ArgoCdConfig config;
    private final ArgoCdClient client;
    private final AppStatusCache apps;
    private final AppResolver resolver;
    private final Clock clock;

    public ArgoCd(ArgoCdConfig config, ArgoCdClient client, Clock clock) {
        this.config = config;
        this.client = client;
        this.clock = clock;
        this.apps = new AppStatusCache(client, clock);
        this.resolver = new AppResolver(config, clock, ref -> {
            AppStatusCache.Snapshot s = apps.current();
            return s.known() ? Optional.of(s.find(ref).isPresent()) : Optional.empty();
        });
        this.apps.onChange(resolver::invalidate);
    }

    public static ArgoCd create(ArgoCdConfig config, Clock clock) {
        return new ArgoCd(config, new ArgoCdClient(config), clock);
    }

    /**
     * The instance for this context's {@code argocd.*} configuration, created on first use. Throws
     * {@link ArgoCdConfigException} listing every problem when the configuration is invalid.
     */
    public static ArgoCd shared(ProviderContext context) {
        ArgoCdConfig config = ArgoCdConfig.from(context.config());
        return SHARED.computeIfAbsent(config, c -> create(c, context.clock()));
    }

    public ArgoCdConfig config() {
        return config;
    }

    public ArgoCdClient client() {
        return client;
    }

    public AppStatusCache apps() {
        return apps;
    }

    public AppResolver resolver() {
        return resolver;
    }

    public Clock clock() {
        return clock;
    }

    @Override
    public void close() {
        SHARED.remove(config, this);
        apps.close();
        client.close();
    }
}

package io.kubeincident.core.discovery;

import io.kubeincident.api.ConfigKeys;
import io.kubeincident.spi.DeclaresConfiguration;
import io.kubeincident.spi.ProviderContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;

/**
 * The one place that calls {@link ServiceLoader}. A provider that cannot be loaded
 * ({@link ServiceConfigurationError}), whose construction or {@code create} throws, is reported through
 * the {@link ProblemReporter} and skipped: the host survives a broken or missing provider.
 */
public final class ProviderDiscovery {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderDiscovery.class);

    /** Receives one line per provider that was skipped. */
    @FunctionalInterface
    public interface ProblemReporter {
        void report(String providerType, String provider, String problem);
    }

    private ProviderDiscovery() {
    }

    /**
     * Loads every {@code providerType} on {@code loader}'s class path and builds its worker.
     *
     * @param enabled asks the provider whether it runs with this context
     * @param create  builds the worker
     */
    public static <P, W> List<W> load(Class<P> providerType, ClassLoader loader, ProviderContext context,
                                      BiPredicate<P, ProviderContext> enabled, BiFunction<P, ProviderContext, W> create,
                                      ProblemReporter reporter) {
        List<W> workers = new ArrayList<>();
        Iterator<P> it = ServiceLoader.load(providerType, loader).iterator();
        while (true) {
            P provider;
            try {
                if (!it.hasNext()) break;
                provider = it.next();
            } catch (ServiceConfigurationError e) {
                reporter.report(providerType.getSimpleName(), "?", "cannot load: " + e.getMessage());
                continue;
            }
            workers.addAll(build(providerType, provider, context, enabled, create, reporter));
        }
        return workers;
    }

    /**
     * The configuration keys declared by every provider of {@code providerTypes} on {@code loader}'s class
     * path that {@link DeclaresConfiguration}, enabled or not. A provider that does not load, or whose
     * declaration throws, declares nothing here ({@link #load} reports it).
     */
    public static List<ConfigKeys> declaredKeys(ClassLoader loader, List<Class<?>> providerTypes) {
        List<ConfigKeys> out = new ArrayList<>();
        for (Class<?> type : providerTypes) {
            Iterator<?> it = ServiceLoader.load(type, loader).iterator();
            while (true) {
                try {
                    if (!it.hasNext()) break;
                    if (it.next() instanceof DeclaresConfiguration d) out.add(d.configKeys());
                } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                    LOG.debug("no configuration keys from a {}: {}", type.getSimpleName(), e.toString());
                }
            }
        }
        return out;
    }

    /** Builds a hand-added provider with the same protection as discovered ones. */
    public static <P, W> List<W> build(Class<P> providerType, P provider, ProviderContext context,
                                       BiPredicate<P, ProviderContext> enabled, BiFunction<P, ProviderContext, W> create,
                                       ProblemReporter reporter) {
        String name = provider.getClass().getName();
        try {
            if (!enabled.test(provider, context)) {
                LOG.debug("{} {} is disabled by configuration", providerType.getSimpleName(), name);
                return List.of();
            }
            W worker = create.apply(provider, context);
            if (worker == null) {
                reporter.report(providerType.getSimpleName(), name, "create() returned null");
                return List.of();
            }
            return List.of(worker);
        } catch (RuntimeException | LinkageError e) {
            reporter.report(providerType.getSimpleName(), name, "create() failed: " + e);
            return List.of();
        }
    }
}

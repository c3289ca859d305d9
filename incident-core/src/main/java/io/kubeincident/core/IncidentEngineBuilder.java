package io.kubeincident.core;

import io.kubeincident.api.ConfigKeys;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Ids;
import io.kubeincident.core.audit.AuditTrail;
import io.kubeincident.core.audit.JsonLinesAuditSink;
import io.kubeincident.core.audit.Slf4jAuditSink;
import io.kubeincident.core.config.ConfigException;
import io.kubeincident.core.config.ConfigLoader;
import io.kubeincident.core.config.EngineConfig;
import io.kubeincident.core.config.EngineKeys;
import io.kubeincident.core.config.MapConfig;
import io.kubeincident.core.discovery.ProviderDiscovery;
import io.kubeincident.core.exec.EngineContexts;
import io.kubeincident.core.learn.OutcomeStores;
import io.kubeincident.core.monitor.ObjectIndex;
import io.kubeincident.core.notify.NotifierConfig;
import io.kubeincident.core.notify.Notifiers;
import io.kubeincident.core.safety.ActionEnabledPolicy;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.core.verify.VerificationConfig;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.AnalyzerProvider;
import io.kubeincident.spi.AuditSink;
import io.kubeincident.spi.DeclaresConfiguration;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.spi.EvidenceContributor;
import io.kubeincident.spi.EvidenceContributorProvider;
import io.kubeincident.spi.FindingSource;
import io.kubeincident.spi.FindingSourceProvider;
import io.kubeincident.spi.IncidentListener;
import io.kubeincident.spi.OutcomeHistory;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubernetes.client.openapi.ApiClient;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Assembles an {@link IncidentEngine}: configuration, the Kubernetes client, providers found through
 * {@link java.util.ServiceLoader} (unless {@link #discovery(boolean) discovery} is off) and providers or
 * workers added by hand. {@link #build()} validates the configuration and lists every problem at once;
 * a provider that fails to load or build is reported in the audit and skipped.
 */
public final class IncidentEngineBuilder {
    private ConfigView config = ConfigView.empty();
    private ApiClient apiClient;
    private Clock clock = Clock.systemUTC();
    private boolean discovery = true;
    private ClassLoader classLoader = Thread.currentThread().getContextClassLoader();
    private final List<DetectorProvider> detectorProviders = new ArrayList<>();
    private final List<AnalyzerProvider> analyzerProviders = new ArrayList<>();
    private final List<RemediationActionProvider> actionProviders = new ArrayList<>();
    private final List<SafetyPolicyProvider> policyProviders = new ArrayList<>();
    private final List<Detector> detectors = new ArrayList<>();
    private final List<Analyzer> analyzers = new ArrayList<>();
    private final List<RemediationAction> actions = new ArrayList<>();
    private final List<SafetyPolicy> policies = new ArrayList<>();
    private final List<EvidenceContributor> contributors = new ArrayList<>();
    private final List<FindingSource> findingSources = new ArrayList<>();
    private final List<FindingSourceProvider> findingSourceProviders = new ArrayList<>();
    private final List<AuditSink> sinks = new ArrayList<>();
    private final List<IncidentListener> listeners = new ArrayList<>();
    private OutcomeHistory outcomes;
    private io.kubernetes.client.informer.SharedInformerFactory informerFactory;
    private boolean logAudit = true;
    private ConfigKeys hostKeys = ConfigKeys.none();

    IncidentEngineBuilder() {
    }

    public IncidentEngineBuilder config(ConfigView config) {
        this.config = config;
        return this;
    }

    public IncidentEngineBuilder config(Map<String, String> values) {
        this.config = new MapConfig(values);
        return this;
    }

    public IncidentEngineBuilder configFile(Path yaml) {
        this.config = ConfigLoader.fromYaml(yaml);
        return this;
    }

    /**
     * Keys the host itself reads from the same configuration ({@code http.port}, ...): with the engine's and
     * every provider's, they are what {@link #build()} accepts; any other key is an error.
     */
    public IncidentEngineBuilder hostConfigKeys(ConfigKeys keys) {
        this.hostKeys = keys;
        return this;
    }

    /** The client for API calls; finite timeouts (continuous mode makes its own watch client from it). */
    public IncidentEngineBuilder apiClient(ApiClient apiClient) {
        this.apiClient = apiClient;
        return this;
    }

    /**
     * A host's informer factory for continuous mode: the engine registers its informers there and shares
     * the ones the host already has (operators already watch pods and deployments).
     */
    public IncidentEngineBuilder informerFactory(io.kubernetes.client.informer.SharedInformerFactory factory) {
        this.informerFactory = factory;
        return this;
    }

    public IncidentEngineBuilder clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** ServiceLoader discovery on (default) or off. */
    public IncidentEngineBuilder discovery(boolean enabled) {
        this.discovery = enabled;
        return this;
    }

    public IncidentEngineBuilder classLoader(ClassLoader loader) {
        this.classLoader = loader;
        return this;
    }

    public IncidentEngineBuilder addDetectorProvider(DetectorProvider p) {
        detectorProviders.add(p);
        return this;
    }

    public IncidentEngineBuilder addAnalyzerProvider(AnalyzerProvider p) {
        analyzerProviders.add(p);
        return this;
    }

    public IncidentEngineBuilder addActionProvider(RemediationActionProvider p) {
        actionProviders.add(p);
        return this;
    }

    public IncidentEngineBuilder addPolicyProvider(SafetyPolicyProvider p) {
        policyProviders.add(p);
        return this;
    }

    public IncidentEngineBuilder addDetector(Detector d) {
        detectors.add(d);
        return this;
    }

    public IncidentEngineBuilder addAnalyzer(Analyzer a) {
        analyzers.add(a);
        return this;
    }

    public IncidentEngineBuilder addAction(RemediationAction a) {
        actions.add(a);
        return this;
    }

    public IncidentEngineBuilder addPolicy(SafetyPolicy p) {
        policies.add(p);
        return this;
    }

    public IncidentEngineBuilder addEvidenceContributor(EvidenceContributor c) {
        contributors.add(c);
        return this;
    }

    /**
     * A source of findings from outside the watches (an Alertmanager webhook intake, PromQL rules). The engine
     * starts it in continuous mode and closes it when it closes.
     */
    public IncidentEngineBuilder findingSource(FindingSource source) {
        findingSources.add(source);
        return this;
    }

    public IncidentEngineBuilder addFindingSourceProvider(FindingSourceProvider p) {
        findingSourceProviders.add(p);
        return this;
    }

    public IncidentEngineBuilder auditSink(AuditSink sink) {
        sinks.add(sink);
        return this;
    }

    /** Whether audit records also go to SLF4J (logger {@code io.kubeincident.audit}); default true. */
    public IncidentEngineBuilder logAudit(boolean enabled) {
        this.logAudit = enabled;
        return this;
    }

    public IncidentEngineBuilder listener(IncidentListener listener) {
        listeners.add(listener);
        return this;
    }

    public IncidentEngineBuilder outcomeHistory(OutcomeHistory history) {
        this.outcomes = history;
        return this;
    }

    /** What the engine is made of, after discovery. */
    record Assembly(EngineConfig config, ConfigView rawConfig, ApiClient apiClient, Clock clock,
                    List<Detector> detectors, List<Analyzer> analyzers, List<RemediationAction> actions,
                    List<SafetyPolicy> policies, List<EvidenceContributor> contributors, List<IncidentListener> listeners, OutcomeHistory outcomes,
                    AuditTrail audit, List<String> problems,
                    io.kubernetes.client.informer.SharedInformerFactory informerFactory,
                    List<FindingSource> findingSources) {
    }

    /**
     * Builds the engine.
     *
     * @throws ConfigException listing every configuration problem
     */
    public IncidentEngine build() {
        EngineConfig engineConfig = validated(config, undeclaredKeyProblems());
        OutcomeHistory outcomes = this.outcomes != null ? this.outcomes
                : OutcomeStores.fromConfig(config, Optional.ofNullable(apiClient));
        List<String> problems = new ArrayList<>();
        ProviderDiscovery.ProblemReporter reporter = (type, provider, problem) ->
                problems.add(type + " " + provider + ": " + problem);
        ProviderContext ctx = new EngineContexts.Provider(config, Optional.ofNullable(apiClient), clock,
                () -> new ObjectIndex(List.of()), outcomes);

        List<Detector> ds = new ArrayList<>(detectors);
        List<Analyzer> as = new ArrayList<>(analyzers);
        List<RemediationAction> acts = new ArrayList<>(actions);
        List<SafetyPolicy> ps = new ArrayList<>(policies);
        List<EvidenceContributor> ecs = new ArrayList<>(contributors);
        for (DetectorProvider p : detectorProviders) {
            ds.addAll(ProviderDiscovery.build(DetectorProvider.class, p, ctx, DetectorProvider::enabled,
                    DetectorProvider::create, reporter));
        }
        for (AnalyzerProvider p : analyzerProviders) {
            as.addAll(ProviderDiscovery.build(AnalyzerProvider.class, p, ctx, AnalyzerProvider::enabled,
                    AnalyzerProvider::create, reporter));
        }
        for (RemediationActionProvider p : actionProviders) {
            acts.addAll(ProviderDiscovery.build(RemediationActionProvider.class, p, ctx,
                    RemediationActionProvider::enabled, RemediationActionProvider::create, reporter));
        }
        List<FindingSource> fss = new ArrayList<>(findingSources);
        for (FindingSourceProvider p : findingSourceProviders) {
            fss.addAll(ProviderDiscovery.build(FindingSourceProvider.class, p, ctx, FindingSourceProvider::enabled,
                    FindingSourceProvider::create, reporter));
        }
        for (SafetyPolicyProvider p : policyProviders) {
            ps.addAll(ProviderDiscovery.build(SafetyPolicyProvider.class, p, ctx, SafetyPolicyProvider::enabled,
                    SafetyPolicyProvider::create, reporter));
        }
        if (discovery) {
            ds.addAll(ProviderDiscovery.load(DetectorProvider.class, classLoader, ctx, DetectorProvider::enabled,
                    DetectorProvider::create, reporter));
            as.addAll(ProviderDiscovery.load(AnalyzerProvider.class, classLoader, ctx, AnalyzerProvider::enabled,
                    AnalyzerProvider::create, reporter));
            acts.addAll(ProviderDiscovery.load(RemediationActionProvider.class, classLoader, ctx,
                    RemediationActionProvider::enabled, RemediationActionProvider::create, reporter));
            ps.addAll(ProviderDiscovery.load(SafetyPolicyProvider.class, classLoader, ctx, SafetyPolicyProvider::enabled,
                    SafetyPolicyProvider::create, reporter));
            ecs.addAll(ProviderDiscovery.load(EvidenceContributorProvider.class, classLoader, ctx,
                    EvidenceContributorProvider::enabled, EvidenceContributorProvider::create, reporter));
            fss.addAll(ProviderDiscovery.load(FindingSourceProvider.class, classLoader, ctx,
                    FindingSourceProvider::enabled, FindingSourceProvider::create, reporter));
        }
        // Hand-added workers come first, so they win over a discovered one with the same id.
        ds = unique(ds, Detector::id, "detector", problems);
        as = unique(as, Analyzer::id, "analyzer", problems);
        acts = unique(acts, RemediationAction::id, "action", problems);
        List<String> switches = unknownSwitches(acts);
        if (!switches.isEmpty()) throw new ConfigException(switches);
        ps = unique(ps, SafetyPolicy::id, "policy", problems);
        ecs = unique(ecs, EvidenceContributor::id, "evidence contributor", problems);
        fss = unique(fss, FindingSource::id, "finding source", problems);

        List<IncidentListener> allListeners = new ArrayList<>(listeners);
        allListeners.addAll(Notifiers.fromConfig(config));

        List<AuditSink> allSinks = new ArrayList<>(sinks);
        if (logAudit) allSinks.add(new Slf4jAuditSink());
        if (engineConfig.auditFile() != null) allSinks.add(new JsonLinesAuditSink(engineConfig.auditFile()));
        AuditTrail audit = new AuditTrail(allSinks, clock);
        return new IncidentEngine(new Assembly(engineConfig, config, apiClient, clock, List.copyOf(ds), List.copyOf(as),
                List.copyOf(acts), List.copyOf(ps), List.copyOf(ecs), List.copyOf(allListeners), outcomes, audit, List.copyOf(problems),
                informerFactory, List.copyOf(fss)));
    }

    /**
     * The engine's configuration and every section the built-in parts read ({@code safety.*},
     * {@code verification.*}, {@code alerting.*}, {@code learning.*}, {@code approval.timeout},
     * {@code detection.*}, {@code correlation.*}, {@code evidence.*}), checked
     * together so that one {@link ConfigException} lists every problem.
     */
    private static EngineConfig validated(ConfigView config, List<String> keyProblems) {
        java.util.Set<String> problems = new java.util.LinkedHashSet<>(keyProblems);
        EngineConfig engineConfig = null;
        try {
            engineConfig = EngineConfig.from(config);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        List<Runnable> sections = List.of(() -> SafetyConfig.from(config), () -> VerificationConfig.from(config),
                () -> io.kubeincident.core.detect.DetectionConfig.from(config),
                () -> io.kubeincident.core.correlate.CorrelationConfig.from(config),
                () -> io.kubeincident.core.evidence.EvidenceConfig.from(config),
                () -> NotifierConfig.from(config), () -> {
                    java.time.Duration ttl = config.getDuration("approval.timeout", java.time.Duration.ofHours(1));
                    if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("approval.timeout must be positive");
                }, () -> {
                    String store = config.getString("learning.store",
                            config.getString("learning.file", null) != null ? "file" : "memory");
                    if (!List.of("memory", "file", "configmap", "none").contains(store)) {
                        throw new IllegalArgumentException("learning.store must be file, configmap, memory or none, was " + store);
                    }
                    if (store.equals("file") && config.getString("learning.file", null) == null) {
                        throw new IllegalArgumentException("learning.store is file but learning.file is not set");
                    }
                });
        for (Runnable section : sections) {
            try {
                section.run();
            } catch (IllegalArgumentException e) {
                // Sections join their problems with "; " (some behind "invalid X configuration: "): one line each
                // here, so that a problem the key check found already is listed once.
                String m = String.valueOf(e.getMessage()).replaceFirst("^invalid [a-z]+ configuration: ", "");
                for (String one : m.split("; ")) problems.add(one);
            }
        }
        if (!problems.isEmpty()) throw new ConfigException(List.copyOf(problems));
        return engineConfig;
    }

    /**
     * Unknown keys (each with the nearest known one) and values of the wrong kind. Known are the engine's
     * keys ({@link EngineKeys}), the host's ({@link #hostConfigKeys}), those of every provider and
     * hand-added worker that {@link DeclaresConfiguration} (discovered ones whether enabled or not), and the
     * switches of hand-added actions.
     */
    /**
     * The action switches ({@code remediation.enable_*}) that no registered action reads, each with the nearest one:
     * known only once the actions (a discovered plug-in's too) are built, so checked here and not with the other keys.
     */
    private List<String> unknownSwitches(List<RemediationAction> built) {
        ConfigKeys.Builder known = ConfigKeys.builder();
        ActionEnabledPolicy.builtInSwitches().forEach(k -> known.bool("remediation." + k));
        for (RemediationAction a : built) {
            try {
                known.bool("remediation." + ActionEnabledPolicy.switchOf(a));
            } catch (RuntimeException e) {
                // its build reported the broken action
            }
        }
        ConfigKeys switches = known.build();
        List<String> out = new ArrayList<>();
        for (String key : new java.util.TreeSet<>(config.keys())) {
            if (!key.startsWith(SWITCH_PREFIX) || switches.typeOf(key).isPresent()) continue;
            out.add(key + ": unknown key" + switches.nearest(key).map(n -> " (did you mean " + n + "?)")
                    .orElse(" (no registered action reads it)"));
        }
        return out;
    }

    private static final String SWITCH_PREFIX = "remediation.enable_";

    private List<String> undeclaredKeyProblems() {
        // Action switches are typed here and matched against the built actions later (unknownSwitches).
        List<ConfigKeys> declared = new ArrayList<>(List.of(EngineKeys.ALL, hostKeys,
                ConfigKeys.builder().bool(SWITCH_PREFIX + "*").build()));
        List<Object> parts = new ArrayList<>();
        List.of(detectorProviders, analyzerProviders, actionProviders, policyProviders, findingSourceProviders, detectors,
                analyzers, actions, policies, contributors, findingSources).forEach(parts::addAll);
        for (Object part : parts) {
            try {
                if (part instanceof DeclaresConfiguration d) declared.add(d.configKeys());
                if (part instanceof RemediationAction a) {
                    declared.add(ConfigKeys.builder().bool("remediation." + ActionEnabledPolicy.switchOf(a)).build());
                }
            } catch (RuntimeException e) {
                // its build reports the broken part; here it declares nothing
            }
        }
        if (discovery) {
            declared.addAll(ProviderDiscovery.declaredKeys(classLoader, List.of(DetectorProvider.class,
                    AnalyzerProvider.class, RemediationActionProvider.class, SafetyPolicyProvider.class,
                    EvidenceContributorProvider.class, FindingSourceProvider.class)));
        }
        return ConfigKeys.union(declared).check(config);
    }

    private static <T> List<T> unique(List<T> workers, Function<T, String> id, String what, List<String> problems) {
        Map<String, T> byId = new LinkedHashMap<>();
        for (T w : workers) {
            String key;
            try {
                key = id.apply(w);
            } catch (RuntimeException e) {
                problems.add(what + " " + w.getClass().getName() + ": id() failed: " + e);
                continue;
            }
            if (!Ids.isKebab(key)) {
                problems.add(what + " " + w.getClass().getName() + ": id '" + key + "' is not kebab-case; skipped");
                continue;
            }
            if (byId.putIfAbsent(key, w) != null) {
                problems.add(what + " id '" + key + "' is registered twice; kept " + byId.get(key).getClass().getName()
                        + ", skipped " + w.getClass().getName());
            }
        }
        return new ArrayList<>(byId.values());
    }
}

package io.kubeincident.responder;

import io.kubeincident.api.AuditRecord;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.IncidentEngineBuilder;
import io.kubeincident.core.config.ConfigException;
import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.spi.AuditSink;
import io.kubernetes.client.openapi.ApiClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds the engine the way every command does: the merged configuration, the client, every provider
 * on the class path (built-in catalog, rules, OpenAI when a key is set, Argo CD when configured, and any
 * third-party plugin jar), plus what the command adds.
 *
 * <p>A provider that refuses its configuration is a configuration error (exit 2, every problem listed);
 * a provider that is broken in another way (a plugin jar that does not load) is reported and skipped,
 * and the responder carries on without it.
 */
public final class EngineFactory {
    private static final Logger LOG = LoggerFactory.getLogger(EngineFactory.class);

    private EngineFactory() {
    }

    public static IncidentEngine build(ResponderConfig config, ApiClient client, Consumer<IncidentEngineBuilder> customize) {
        ProblemCollector problems = new ProblemCollector();
        IncidentEngineBuilder b = IncidentEngine.builder()
                .config(config.view())
                .hostConfigKeys(ResponderConfig.KEYS)
                .apiClient(client)
                .auditSink(problems);
        customize.accept(b);
        IncidentEngine engine;
        try {
            engine = b.build();
        } catch (ConfigException e) {
            throw UserError.usage(e.getMessage());
        }
        List<String> configProblems = new ArrayList<>();
        for (String p : problems.lines()) {
            if (isConfigurationProblem(p)) configProblems.add(p);
            else LOG.warn("provider skipped: {}", p);
        }
        if (!configProblems.isEmpty()) {
            engine.close();
            throw UserError.usage(new ConfigException(configProblems).getMessage());
        }
        return engine;
    }

    /**
     * Checks a configuration the way {@link #build} would, without an engine that writes anything: no
     * audit file, no log records, no listeners. A standby replica checks every configuration this way.
     *
     * @throws UserError (exit 2) listing every problem
     */
    public static void validate(ResponderConfig config, ApiClient client) {
        ResponderConfig quiet = config.with(java.util.Map.of("audit.file", "", "alerting.enabled", "false"));
        build(quiet, client, b -> b.logAudit(false)).close();
    }

    /** A provider's {@code create()} that rejected its settings (IllegalArgumentException and subclasses). */
    static boolean isConfigurationProblem(String problem) {
        return problem.contains("IllegalArgumentException") || problem.contains("ConfigException");
    }

    /** Catches the engine's {@code provider-error} records, which it writes while building. */
    private static final class ProblemCollector implements AuditSink {
        private final List<String> lines = new ArrayList<>();

        @Override
        public synchronized void write(AuditRecord record) {
            if ("provider-error".equals(record.step()) && record.field("message") != null) {
                lines.add(String.valueOf(record.field("message")));
            }
        }

        synchronized List<String> lines() {
            return List.copyOf(lines);
        }
    }
}

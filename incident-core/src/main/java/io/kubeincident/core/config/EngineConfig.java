package io.kubeincident.core.config;

import io.kubeincident.api.ConfigView;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The engine's own configuration, read and validated from one {@link ConfigView}. Keys:
 * <ul>
 *   <li>{@code monitoring.scan_interval} (default 30s): the periodic full sweep</li>
 *   <li>{@code monitoring.confidence_threshold} (0.8): execute at or above</li>
 *   <li>{@code monitoring.approval_threshold} (0.6): approval at or above, log-only below</li>
 *   <li>{@code monitoring.namespaces} (empty = all): namespaces watched</li>
 *   <li>{@code remediation.mode} (auto): auto | approval | dry-run</li>
 *   <li>{@code safety.excluded_namespaces} (kube-system, kube-public, kube-node-lease): never acted on</li>
 *   <li>{@code runtime.namespace}: the host's own namespace, excluded too</li>
 *   <li>{@code analysis.timeout} (30s), {@code analysis.concurrency} (4)</li>
 *   <li>{@code audit.file}: a JSON-lines audit file (none by default)</li>
 * </ul>
 */
public record EngineConfig(Duration scanInterval, double confidenceThreshold, double approvalThreshold,
                           List<String> namespaces, Mode mode, List<String> excludedNamespaces,
                           Duration analysisTimeout, int analysisConcurrency, Path auditFile) {

    public static final List<String> DEFAULT_EXCLUDED = List.of("kube-system", "kube-public", "kube-node-lease");

    public EngineConfig {
        namespaces = List.copyOf(namespaces);
        excludedNamespaces = List.copyOf(excludedNamespaces);
    }

    public static EngineConfig defaults() {
        return from(io.kubeincident.api.ConfigView.empty());
    }

    /** Reads and validates; throws {@link ConfigException} listing every problem. */
    public static EngineConfig from(ConfigView c) {
        Problems p = new Problems();
        Duration scan = p.positiveDuration(c, "monitoring.scan_interval", Duration.ofSeconds(30));
        double exec = p.probability(c, "monitoring.confidence_threshold", 0.8);
        double approval = p.probability(c, "monitoring.approval_threshold", 0.6);
        if (approval > exec) {
            p.add("monitoring.approval_threshold (" + approval + ") must not exceed monitoring.confidence_threshold ("
                    + exec + ")");
        }
        List<String> namespaces = c.getList("monitoring.namespaces", List.of());
        Mode mode = p.read(() -> c.get("remediation.mode").map(v -> Mode.parse("remediation.mode", v))
                .orElse(Mode.AUTO), Mode.AUTO);
        List<String> excluded = new java.util.ArrayList<>(c.getList("safety.excluded_namespaces", DEFAULT_EXCLUDED));
        c.get("runtime.namespace").map(String::trim).filter(s -> !s.isEmpty())
                .filter(s -> !excluded.contains(s)).ifPresent(excluded::add);
        Duration timeout = p.positiveDuration(c, "analysis.timeout", Duration.ofSeconds(30));
        int concurrency = p.positiveInt(c, "analysis.concurrency", 4);
        Path audit = c.get("audit.file").map(String::trim).filter(s -> !s.isEmpty()).map(Path::of).orElse(null);
        p.throwIfAny();
        return new EngineConfig(scan, exec, approval, namespaces, mode, excluded, timeout, concurrency, audit);
    }

    public boolean excluded(String namespace) {
        return namespace != null && excludedNamespaces.contains(namespace);
    }
}

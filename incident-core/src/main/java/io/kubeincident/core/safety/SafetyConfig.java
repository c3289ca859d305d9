package io.kubeincident.core.safety;

import io.kubeincident.api.ConfigView;
import io.kubernetes.client.custom.Quantity;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The {@code safety.*} configuration the built-in policies and actions share.
 *
 * <table>
 *   <caption>keys</caption>
 *   <tr><td>{@code safety.excluded_namespaces}</td><td>added to {@code kube-system}, {@code kube-public},
 *       {@code kube-node-lease} and the runtime's own namespace, which are always excluded</td></tr>
 *   <tr><td>{@code runtime.namespace}</td><td>the runtime's own namespace, always excluded</td></tr>
 *   <tr><td>{@code safety.opt_out_label}</td><td>label that opts a namespace or workload out when {@code "true"}
 *       (default {@code kube-incident.io/ignore})</td></tr>
 *   <tr><td>{@code safety.max_replicas}</td><td>replica ceiling (20)</td></tr>
 *   <tr><td>{@code safety.max_scale_factor}</td><td>largest change of replicas per step, as a factor (2.0)</td></tr>
 *   <tr><td>{@code safety.max_resource_factor}</td><td>largest raise of a limit or request per step (2.0)</td></tr>
 *   <tr><td>{@code safety.max_memory}, {@code safety.max_cpu}</td><td>caps for raised limits (8Gi, 4)</td></tr>
 *   <tr><td>{@code safety.max_concurrent_actions}</td><td>actions running at once (3)</td></tr>
 *   <tr><td>{@code safety.max_actions_per_hour}</td><td>global (20)</td></tr>
 *   <tr><td>{@code safety.max_actions_per_hour_per_namespace}</td><td>per namespace (10)</td></tr>
 *   <tr><td>{@code safety.cooldown}</td><td>quiet time per resource after an action (10m)</td></tr>
 *   <tr><td>{@code safety.retry_budget}</td><td>actions per incident fingerprint within {@code safety.retry_window}
 *       before it is escalated (2)</td></tr>
 *   <tr><td>{@code safety.retry_window}</td><td>(6h)</td></tr>
 *   <tr><td>{@code safety.max_nodes_draining}</td><td>nodes cordoned or draining at once (1)</td></tr>
 *   <tr><td>{@code safety.change_freeze.NAME.cron}, {@code .duration}, {@code .namespaces}, {@code .timezone}</td>
 *       <td>change-freeze windows: from each cron match for the duration, in the namespaces ({@code *}: all),
 *       actions need approval</td></tr>
 *   <tr><td>{@code safety.model_proposals}</td><td>{@code corroborated} (default): a generative analyzer's proposal
 *       runs unattended only when the engine's independent analysis agrees; {@code approval}: never unattended
 *       ({@link CorroborationPolicy})</td></tr>
 * </table>
 */
public record SafetyConfig(Set<String> excludedNamespaces, String optOutLabel, int maxReplicas, double maxScaleFactor,
                           double maxResourceFactor, Quantity maxMemory, Quantity maxCpu, int maxConcurrentActions,
                           int maxActionsPerHour, int maxActionsPerHourPerNamespace, Duration cooldown,
                           int retryBudget, Duration retryWindow, int maxNodesDraining, List<FreezeWindow> freezeWindows) {

    /** Always excluded, whatever the configuration says. */
    public static final Set<String> SYSTEM_NAMESPACES = Set.of("kube-system", "kube-public", "kube-node-lease");
    public static final String DEFAULT_OPT_OUT_LABEL = "kube-incident.io/ignore";

    public SafetyConfig {
        Set<String> ex = new TreeSet<>(SYSTEM_NAMESPACES);
        if (excludedNamespaces != null) ex.addAll(excludedNamespaces);
        excludedNamespaces = Set.copyOf(ex);
        optOutLabel = optOutLabel == null || optOutLabel.isBlank() ? DEFAULT_OPT_OUT_LABEL : optOutLabel;
        freezeWindows = freezeWindows == null ? List.of() : List.copyOf(freezeWindows);
    }

    public static SafetyConfig defaults() {
        return from(ConfigView.empty());
    }

    /** Reads and checks every key; throws one {@link IllegalArgumentException} listing every problem. */
    public static SafetyConfig from(ConfigView config) {
        List<String> problems = new ArrayList<>();
        ConfigView s = config.under("safety");
        Set<String> excluded = new LinkedHashSet<>(read(problems, () -> s.getList("excluded_namespaces", List.of())));
        String own = config.getString("runtime.namespace", null);
        if (own != null && !own.isBlank()) excluded.add(own.trim());
        int maxReplicas = positive(problems, "max_replicas", read(problems, () -> s.getInt("max_replicas", 20)));
        double scale = atLeastOne(problems, "max_scale_factor", read(problems, () -> s.getDouble("max_scale_factor", 2.0)));
        double res = atLeastOne(problems, "max_resource_factor", read(problems, () -> s.getDouble("max_resource_factor", 2.0)));
        Quantity mem = quantity(problems, s, "max_memory", "8Gi");
        Quantity cpu = quantity(problems, s, "max_cpu", "4");
        int concurrent = positive(problems, "max_concurrent_actions", read(problems, () -> s.getInt("max_concurrent_actions", 3)));
        int perHour = positive(problems, "max_actions_per_hour", read(problems, () -> s.getInt("max_actions_per_hour", 20)));
        int perNs = positive(problems, "max_actions_per_hour_per_namespace",
                read(problems, () -> s.getInt("max_actions_per_hour_per_namespace", 10)));
        Duration cooldown = nonNegative(problems, "cooldown", read(problems, () -> s.getDuration("cooldown", Duration.ofMinutes(10))));
        int budget = positive(problems, "retry_budget", read(problems, () -> s.getInt("retry_budget", 2)));
        Duration window = nonNegative(problems, "retry_window", read(problems, () -> s.getDuration("retry_window", Duration.ofHours(6))));
        int draining = positive(problems, "max_nodes_draining", read(problems, () -> s.getInt("max_nodes_draining", 1)));
        List<FreezeWindow> windows = freezeWindows(problems, s.under("change_freeze"));
        try {
            CorroborationPolicy.ModelProposals.parse(s.getString("model_proposals", null));
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid safety configuration: " + String.join("; ", problems));
        }
        return new SafetyConfig(excluded, s.getString("opt_out_label", DEFAULT_OPT_OUT_LABEL), maxReplicas, scale, res,
                mem, cpu, concurrent, perHour, perNs, cooldown, budget, window, draining, windows);
    }

    /** True when {@code namespace} must never be touched. */
    public boolean excluded(String namespace) {
        return namespace != null && excludedNamespaces.contains(namespace);
    }

    public BigDecimal maxMemoryBytes() {
        return maxMemory.getNumber();
    }

    public BigDecimal maxCpuCores() {
        return maxCpu.getNumber();
    }

    private static List<FreezeWindow> freezeWindows(List<String> problems, ConfigView cf) {
        Set<String> names = new TreeSet<>();
        for (String k : cf.keys()) {
            int dot = k.indexOf('.');
            if (dot > 0) names.add(k.substring(0, dot));
            else problems.add("safety.change_freeze." + k + ": expected safety.change_freeze.NAME.cron/duration/namespaces/timezone");
        }
        List<FreezeWindow> out = new ArrayList<>();
        for (String name : names) {
            ConfigView w = cf.under(name);
            String prefix = "safety.change_freeze." + name;
            try {
                Cron cron = Cron.parse(w.getString("cron", null));
                Duration d = w.getDuration("duration", null);
                if (d == null) throw new IllegalArgumentException("duration is missing");
                ZoneId zone = ZoneId.of(w.getString("timezone", "UTC"));
                out.add(new FreezeWindow(name, Set.copyOf(w.getList("namespaces", List.of("*"))), cron, d, zone));
            } catch (RuntimeException e) {
                problems.add(prefix + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static <T> T read(List<String> problems, Supplier<T> s) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            problems.add("safety." + e.getMessage());
            return null;
        }
    }

    private static int positive(List<String> problems, String key, Integer v) {
        if (v == null) return 1;
        if (v < 1) problems.add("safety." + key + " must be >= 1, was " + v);
        return v;
    }

    private static double atLeastOne(List<String> problems, String key, Double v) {
        if (v == null) return 1.0;
        if (!(v >= 1.0) || v.isInfinite()) problems.add("safety." + key + " must be a number >= 1, was " + v);
        return v;
    }

    private static Duration nonNegative(List<String> problems, String key, Duration v) {
        if (v == null) return Duration.ZERO;
        if (v.isNegative()) problems.add("safety." + key + " must not be negative, was " + ConfigView.formatDuration(v));
        return v;
    }

    private static Quantity quantity(List<String> problems, ConfigView s, String key, String fallback) {
        String raw = s.getString(key, fallback);
        try {
            Quantity q = Quantity.fromString(raw);
            if (q.getNumber().signum() <= 0) problems.add("safety." + key + " must be positive, was " + raw);
            return q;
        } catch (RuntimeException e) {
            problems.add("safety." + key + ": not a quantity: " + raw);
            return Quantity.fromString(fallback);
        }
    }
}

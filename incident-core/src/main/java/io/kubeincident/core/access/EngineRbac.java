package io.kubeincident.core.access;

import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Permission;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.RemediationAction;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The RBAC an engine needs, derived from what is registered: reads (list, watch) of every kind a
 * detector looks at plus the kinds the engine walks for owner chains and evidence; pod logs and a get of
 * ConfigMaps (metadata only: when a referenced one last changed) for evidence; the permissions of every
 * enabled action ({@link RemediationAction#permissions()}); creating Events; and, in its own namespace
 * only, the Lease for leader election. Never Secrets.
 */
public final class EngineRbac {
    /** kind → (API group, plural resource) for the kinds detectors and the engine read. */
    private static final Map<String, String[]> RESOURCES = Map.ofEntries(
            Map.entry("Pod", new String[]{"", "pods"}),
            Map.entry("Node", new String[]{"", "nodes"}),
            Map.entry("Event", new String[]{"", "events"}),
            Map.entry("Service", new String[]{"", "services"}),
            Map.entry("Endpoints", new String[]{"", "endpoints"}),
            Map.entry("PersistentVolumeClaim", new String[]{"", "persistentvolumeclaims"}),
            Map.entry("Deployment", new String[]{"apps", "deployments"}),
            Map.entry("ReplicaSet", new String[]{"apps", "replicasets"}),
            Map.entry("StatefulSet", new String[]{"apps", "statefulsets"}),
            Map.entry("DaemonSet", new String[]{"apps", "daemonsets"}),
            Map.entry("Job", new String[]{"batch", "jobs"}),
            Map.entry("CronJob", new String[]{"batch", "cronjobs"}),
            Map.entry("HorizontalPodAutoscaler", new String[]{"autoscaling", "horizontalpodautoscalers"}),
            Map.entry("PodDisruptionBudget", new String[]{"policy", "poddisruptionbudgets"}),
            Map.entry("EndpointSlice", new String[]{"discovery.k8s.io", "endpointslices"}),
            Map.entry("Namespace", new String[]{"", "namespaces"}),
            Map.entry("Application", new String[]{"argoproj.io", "applications"}));

    /**
     * What the engine reads besides the detectors' kinds: pods and their owner chain, events and nodes for
     * evidence, namespaces (opt-out labels), StatefulSets, DaemonSets and PodDisruptionBudgets for the
     * safety policies. The responder's {@code RbacCoverageTest} runs the engine under the derived rules on a
     * server that enforces them, so a request they do not grant fails there.
     */
    private static final List<String> ENGINE_KINDS = List.of("Pod", "ReplicaSet", "Deployment", "Event", "Node",
            "Namespace", "StatefulSet", "DaemonSet", "PodDisruptionBudget");
    /**
     * The engine reads watched kinds from its informer caches (list, then watch) and from snapshots (list),
     * never one object at a time: a single {@code get} is granted only where an action declares one.
     */
    private static final List<String> READ = List.of("list", "watch");

    private EngineRbac() {
    }

    /** One rule key: API group and resource. */
    public record Resource(String apiGroup, String resource) implements Comparable<Resource> {
        @Override
        public int compareTo(Resource o) {
            int c = apiGroup.compareTo(o.apiGroup);
            return c != 0 ? c : resource.compareTo(o.resource);
        }
    }

    /** The cluster-wide rules: resource → verbs, sorted. */
    public static Map<Resource, Set<String>> clusterRules(IncidentEngine engine, ConfigView config) {
        Map<Resource, Set<String>> rules = new TreeMap<>();
        Set<String> kinds = new TreeSet<>(ENGINE_KINDS);
        for (Detector d : engine.detectors()) kinds.addAll(d.kinds());
        // A Service's endpoints are read from its EndpointSlices, or Endpoints where slices are not served.
        if (kinds.contains("Service")) {
            kinds.add("EndpointSlice");
            kinds.add("Endpoints");
        }
        for (String kind : kinds) {
            String[] r = RESOURCES.get(kind);
            if (r == null) {
                throw new IllegalStateException("no RBAC resource known for watched kind " + kind + ": add it to EngineRbac");
            }
            add(rules, r[0], r[1], READ);
        }
        add(rules, "", "pods/log", List.of("get"));
        // Evidence: when the ConfigMaps a failing workload references last changed. The engine reads their
        // metadata only (PartialObjectMetadata), never their values, but RBAC cannot grant less than get.
        add(rules, "", "configmaps", List.of("get"));
        add(rules, "", "events", List.of("create"));
        for (RemediationAction a : enabledActions(engine, config)) {
            for (Permission p : a.permissions()) add(rules, p.apiGroup(), p.resource(), List.of(p.verb()));
        }
        return rules;
    }

    /** The rules of the Role in the responder's own namespace: its Lease. */
    public static Map<Resource, Set<String>> namespaceRules() {
        Map<Resource, Set<String>> rules = new TreeMap<>();
        add(rules, "coordination.k8s.io", "leases", List.of("get", "create", "update"));
        return rules;
    }

    /** Actions whose {@code remediation.enable_*} switch is on (default on). */
    public static List<RemediationAction> enabledActions(IncidentEngine engine, ConfigView config) {
        List<RemediationAction> out = new ArrayList<>();
        for (RemediationAction a : engine.actions().values()) {
            if (enabled(engine, a, config)) out.add(a);
        }
        return out;
    }

    /**
     * Whether the engine would let {@code a} run as far as its switch goes. The engine's own switch policy
     * ({@code action-enabled}) answers, so that defaults are the same as when it runs (ConfigMap and Secret
     * patches and node drains are off unless switched on); without that policy, a set switch decides and
     * an unset one counts as on.
     */
    public static boolean enabled(IncidentEngine engine, RemediationAction a, ConfigView config) {
        for (SafetyPolicy p : engine.policies()) {
            if (!p.id().equals("action-enabled")) continue;
            try {
                ResourceRef probe = ResourceRef.of(a.targetKinds().stream().findFirst().orElse("Pod"), "rbac-probe", "probe");
                return !p.evaluate(new ProposedAction(a.id(), probe, Map.of(), 1.0, "rbac probe"), null).isDeny();
            } catch (RuntimeException e) {
                break;  // a policy that needs a context: fall back to the switch itself
            }
        }
        String key = a.enableKey();
        if (key == null || key.isBlank()) return true;
        if (!key.startsWith("remediation.")) key = "remediation." + key;
        return config.getBoolean(key, true);
    }

    /** A ClusterRole and a Role (for the Lease) as YAML, as {@code responder rbac} prints them. */
    public static String yaml(Map<Resource, Set<String>> cluster, Map<Resource, Set<String>> namespaced,
                              String name, String namespace) {
        StringBuilder sb = new StringBuilder();
        sb.append("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ").append(name)
                .append("\nrules:\n");
        rulesYaml(cluster, sb);
        sb.append("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: ").append(name)
                .append("-leader-election\n  namespace: ").append(namespace).append("\nrules:\n");
        rulesYaml(namespaced, sb);
        return sb.toString();
    }

    /**
     * The ClusterRoleBinding and RoleBinding that give the roles of {@link #yaml} to service account
     * {@code namespace/name}, as deploy/rbac.yaml has them.
     */
    public static String bindingsYaml(String name, String namespace) {
        String subjects = "subjects:\n  - kind: ServiceAccount\n    name: " + name + "\n    namespace: " + namespace + "\n";
        return "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: " + name
                + "\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: " + name + "\n" + subjects
                + "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: " + name
                + "-leader-election\n  namespace: " + namespace + "\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n"
                + "  kind: Role\n  name: " + name + "-leader-election\n" + subjects;
    }

    private static void rulesYaml(Map<Resource, Set<String>> rules, StringBuilder sb) {
        rules.forEach((r, verbs) -> sb.append("  - apiGroups: [\"").append(r.apiGroup()).append("\"]\n")
                .append("    resources: [\"").append(r.resource()).append("\"]\n")
                .append("    verbs: [").append(String.join(", ", verbs.stream().map(v -> "\"" + v + "\"").toList()))
                .append("]\n"));
    }

    private static void add(Map<Resource, Set<String>> rules, String group, String resource, List<String> verbs) {
        rules.computeIfAbsent(new Resource(group == null ? "" : group, resource), k -> new TreeSet<>()).addAll(verbs);
    }
}

package io.kubeincident.rules;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.EventSummary;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.LogExcerpt;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.RolloutRevision;
import io.kubeincident.api.Severity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds incidents, evidence and the built-in action catalog for analyzer tests. */
final class TestIncidents {

    static final Instant OPENED = Instant.parse("2025-03-01T10:00:00Z");

    private TestIncidents() {
    }

    /** {@code Kind/ns/name} or {@code Kind/name} (cluster-scoped). */
    static ResourceRef ref(String spec) {
        String[] p = spec.split("/");
        if (p.length == 3) return ResourceRef.of(p[0], p[1], p[2]);
        if (p.length == 2) return ResourceRef.cluster(p[0], p[1]);
        throw new IllegalArgumentException("bad ref: " + spec);
    }

    /**
     * The built-in actions with the target kinds and parameter schemas their implementations declare
     * (incident-core's actions, incident-argocd's for the Argo CD ones). A copy, because this module cannot
     * see them; incident-core's {@code BundledRulesAgainstRealActionsTest} checks the bundled rules against
     * the real ones, so a copy that drifts shows there.
     */
    static List<ActionDescriptor> builtInActions() {
        Map<String, Object> none = object(Map.of(), List.of());
        Map<String, Object> restart = object(Map.of("gracePeriodSeconds", integer(0, 300)), List.of());
        Map<String, Object> scale = object(Map.of("replicas", integer(1, 1000)), List.of("replicas"));
        Map<String, Object> rollback = object(Map.of("toRevision", integer(1, Integer.MAX_VALUE)), List.of());
        Map<String, Object> adjust = object(Map.of(
                "container", Map.of("type", "string", "pattern", "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength", 63),
                "resource", Map.of("type", "string", "enum", List.of("memory", "cpu")),
                "factor", Map.of("type", "number", "exclusiveMinimum", 1.0, "maximum", 4.0)), List.of());
        Map<String, Object> data = Map.of("type", "object", "propertyNames", Map.of("pattern", "^[-._a-zA-Z0-9]+$", "maxLength", 253),
                "additionalProperties", Map.of("type", "string", "maxLength", 65536), "minProperties", 1, "maxProperties", 20);
        Map<String, Object> patch = object(Map.of("data", data, "rollConsumers", Map.of("type", "boolean")), List.of("data"));
        Map<String, Object> drain = object(Map.of("allowLocalStorage", Map.of("type", "boolean"),
                "timeoutSeconds", integer(10, 1800), "gracePeriodSeconds", integer(0, 600)), List.of());
        Map<String, Object> argoSync = object(Map.of("revision", Map.of("type", "string", "pattern", "[A-Za-z0-9._/@:+-]{1,255}"),
                "prune", Map.of("type", "boolean"), "target_only", Map.of("type", "boolean")), List.of());
        Map<String, Object> argoRollback = object(Map.of("history_id", Map.of("type", "integer", "minimum", 0)), List.of());
        Set<String> workloads = Set.of("Deployment", "StatefulSet", "DaemonSet");
        Set<String> argo = Set.of("Application", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod",
                "ConfigMap", "Secret", "Job", "CronJob");
        return List.of(
                new ActionDescriptor(ActionTypes.RESTART_POD, "delete a pod so that its controller recreates it", Set.of("Pod"), restart),
                new ActionDescriptor(ActionTypes.ROLLOUT_RESTART, "rolling restart", workloads, none),
                new ActionDescriptor(ActionTypes.SCALE, "scale", Set.of("Deployment", "StatefulSet"), scale),
                new ActionDescriptor(ActionTypes.ROLLBACK_DEPLOYMENT, "roll back a Deployment", Set.of("Deployment"), rollback),
                new ActionDescriptor(ActionTypes.ADJUST_RESOURCES, "raise a limit and request by a factor", workloads, adjust),
                new ActionDescriptor(ActionTypes.PATCH_CONFIGMAP, "patch a ConfigMap", Set.of("ConfigMap"), patch),
                new ActionDescriptor(ActionTypes.PATCH_SECRET, "patch a Secret", Set.of("Secret"), patch),
                new ActionDescriptor(ActionTypes.CORDON_NODE, "cordon", Set.of("Node"), none),
                new ActionDescriptor(ActionTypes.DRAIN_NODE, "drain", Set.of("Node"), drain),
                new ActionDescriptor(ActionTypes.ARGOCD_SYNC, "sync an Argo CD app", argo, argoSync),
                new ActionDescriptor(ActionTypes.ARGOCD_ROLLBACK, "roll back an Argo CD app", argo, argoRollback));
    }

    private static Map<String, Object> object(Map<String, Object> properties, List<String> required) {
        return required.isEmpty()
                ? Map.of("type", "object", "properties", properties, "additionalProperties", false)
                : Map.of("type", "object", "properties", properties, "required", required, "additionalProperties", false);
    }

    private static Map<String, Object> integer(long min, long max) {
        return Map.of("type", "integer", "minimum", min, "maximum", max);
    }

    static Builder incident(String type, String root) {
        return new Builder(type, ref(root));
    }

    static final class Builder {
        private final String type;
        private final ResourceRef root;
        private final List<ResourceRef> resources = new ArrayList<>();
        private final List<Finding> findings = new ArrayList<>();
        private final Map<String, String> facts = new LinkedHashMap<>();
        private final List<EventSummary> events = new ArrayList<>();
        private final List<LogExcerpt> logs = new ArrayList<>();
        private final List<RolloutRevision> rollout = new ArrayList<>();
        private final List<String> knowledge = new ArrayList<>();
        private List<ActionDescriptor> actions = builtInActions();

        Builder(String type, ResourceRef root) {
            this.type = type;
            this.root = root;
        }

        Builder resource(String spec) {
            resources.add(ref(spec));
            return this;
        }

        Builder finding(String resource, String message, Map<String, String> facts) {
            findings.add(new Finding("test-detector", type, Severity.HIGH, ref(resource), message, facts, OPENED.minusSeconds(120)));
            return this;
        }

        Builder fact(String key, String value) {
            facts.put(key, value);
            return this;
        }

        Builder facts(Map<String, String> more) {
            facts.putAll(more);
            return this;
        }

        Builder event(String eventType, String reason, String message, int count) {
            events.add(new EventSummary(eventType, reason, message, count, OPENED.minusSeconds(600), OPENED, root));
            return this;
        }

        Builder log(String pod, String container, boolean previous, List<String> lines) {
            logs.add(new LogExcerpt(ref(pod), container, previous, lines, false));
            return this;
        }

        /** A revision that began {@code minutesAgo} before the incident opened. */
        Builder revision(long revision, String image, Long minutesAgo, int ready, boolean current) {
            rollout.add(new RolloutRevision(revision, ResourceRef.of("ReplicaSet", root.namespace(), root.name() + "-" + revision),
                    List.of(image), minutesAgo == null ? null : OPENED.minus(Duration.ofMinutes(minutesAgo)), ready, current));
            return this;
        }

        Builder knowledge(String line) {
            knowledge.add(line);
            return this;
        }

        Builder actions(List<ActionDescriptor> available) {
            this.actions = List.copyOf(available);
            return this;
        }

        Incident buildIncident() {
            List<ResourceRef> all = new ArrayList<>();
            all.add(root);
            for (ResourceRef r : resources) {
                if (!r.sameTarget(root)) all.add(r);
            }
            return new Incident("inc-" + Math.abs((type + root.key()).hashCode()), type + ":" + root.key(), type,
                    Severity.HIGH, root, all, findings, IncidentState.OPEN, OPENED, OPENED);
        }

        Evidence buildEvidence() {
            // Newest first, as the engine hands it over.
            List<RolloutRevision> sorted = new ArrayList<>(rollout);
            sorted.sort((a, b) -> Long.compare(b.revision(), a.revision()));
            return new Evidence(events, logs, List.of(root), sorted, facts, knowledge);
        }

        AnalysisRequest request() {
            return new AnalysisRequest(buildIncident(), buildEvidence(), actions);
        }
    }
}

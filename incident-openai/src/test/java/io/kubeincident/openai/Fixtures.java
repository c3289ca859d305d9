package io.kubeincident.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.EventSummary;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.LogExcerpt;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.RolloutRevision;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.OutcomeHistory;
import io.kubeincident.spi.ProviderContext;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Pod;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Incidents, evidence, action descriptors, model answers and configuration shared by the tests. */
final class Fixtures {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant NOW = Instant.parse("2025-06-01T10:00:00Z");

    static final ResourceRef DEPLOYMENT = new ResourceRef("Deployment", "default", "web", "uid-deploy");
    static final ResourceRef REPLICA_SET = new ResourceRef("ReplicaSet", "default", "web-7c9d8", "uid-rs");
    static final ResourceRef POD_1 = new ResourceRef("Pod", "default", "web-7c9d8-abcde", "uid-p1");
    static final ResourceRef POD_2 = new ResourceRef("Pod", "default", "web-7c9d8-fghij", "uid-p2");

    private Fixtures() {
    }

    // ---- the action catalog as the engine would describe it ------------------------------------------

    static List<ActionDescriptor> actions() {
        return List.of(
                new ActionDescriptor("restart-pod", "delete a pod that has a controller; it is recreated",
                        Set.of("Pod"), Map.of("type", "object", "properties", Map.of(), "additionalProperties", false)),
                new ActionDescriptor("rollout-restart", "restart every pod of a workload, one by one",
                        Set.of("Deployment", "StatefulSet", "DaemonSet"),
                        Map.of("type", "object", "properties", Map.of(), "additionalProperties", false)),
                new ActionDescriptor("scale", "set the replica count of a workload",
                        Set.of("Deployment", "StatefulSet"),
                        Map.of("type", "object",
                                "properties", Map.of("replicas", Map.of("type", "integer", "minimum", 0, "maximum", 50,
                                        "description", "the new replica count")),
                                "required", List.of("replicas"), "additionalProperties", false)),
                new ActionDescriptor("rollback-deployment", "roll a Deployment back to an earlier revision",
                        Set.of("Deployment"),
                        Map.of("type", "object",
                                "properties", Map.of("toRevision", Map.of("type", "integer", "minimum", 1,
                                        "description", "revision to return to; the previous one when absent")),
                                "additionalProperties", false)),
                new ActionDescriptor("adjust-resources", "raise a container's memory or cpu limit by a bounded factor",
                        Set.of("Deployment", "StatefulSet"),
                        Map.of("type", "object",
                                "properties", Map.of(
                                        "container", Map.of("type", "string", "minLength", 1),
                                        "resource", Map.of("type", "string", "enum", List.of("memory", "cpu")),
                                        "factor", Map.of("type", "number", "minimum", 1, "maximum", 4, "default", 1.5)),
                                "required", List.of("container", "resource"), "additionalProperties", false)));
    }

    // ---- incidents ----------------------------------------------------------------------------------

    static Incident crashLoop() {
        Finding f1 = new Finding("crash-loop", IncidentTypes.CRASH_LOOP, Severity.HIGH, POD_1,
                "pod default/web-7c9d8-abcde container app is in CrashLoopBackOff (exit code 1, 6 restarts)",
                Map.of("reason", "CrashLoopBackOff", "exitCode", "1", "restartCount", "6", "container", "app",
                        "lastTerminationReason", "Error"), NOW.minusSeconds(600));
        Finding f2 = new Finding("crash-loop", IncidentTypes.CRASH_LOOP, Severity.HIGH, POD_2,
                "pod default/web-7c9d8-fghij container app is in CrashLoopBackOff (exit code 1, 5 restarts)",
                Map.of("reason", "CrashLoopBackOff", "exitCode", "1", "restartCount", "5", "container", "app",
                        "lastTerminationReason", "Error"), NOW.minusSeconds(590));
        return new Incident("inc-crash-1", "crash-loop:Deployment/default/web", IncidentTypes.CRASH_LOOP, Severity.HIGH,
                DEPLOYMENT, List.of(DEPLOYMENT, REPLICA_SET, POD_1, POD_2), List.of(f1, f2), IncidentState.OPEN,
                NOW.minusSeconds(600), NOW);
    }

    static Incident withId(Incident i, String id) {
        return new Incident(id, i.fingerprint(), i.type(), i.severity(), i.rootResource(), i.resources(), i.findings(),
                i.state(), i.openedAt(), i.updatedAt());
    }

    static Evidence crashEvidence() {
        List<String> lines = new ArrayList<>();
        lines.add("2025-06-01T09:50:00Z INFO starting web 2.4.1");
        lines.add("2025-06-01T09:50:00Z INFO loading configuration from /etc/web/config.yaml");
        lines.add("2025-06-01T09:50:01Z ERROR cannot connect to database db.default.svc:5432: connection refused");
        lines.add("2025-06-01T09:50:01Z FATAL giving up after 3 attempts");
        return new Evidence(
                List.of(new EventSummary("Warning", "BackOff", "Back-off restarting failed container app in pod "
                                + "web-7c9d8-abcde_default(uid-p1)", 14, NOW.minusSeconds(600), NOW, POD_1),
                        new EventSummary("Normal", "Pulled", "Container image \"registry.local/web:2.4.1\" already present "
                                + "on machine", 6, NOW.minusSeconds(600), NOW, POD_1)),
                List.of(new LogExcerpt(POD_1, "app", true, lines, false)),
                List.of(POD_1, REPLICA_SET, DEPLOYMENT),
                List.of(new RolloutRevision(4, REPLICA_SET, List.of("registry.local/web:2.4.1"), NOW.minusSeconds(900), 0, true),
                        new RolloutRevision(3, ResourceRef.of("ReplicaSet", "default", "web-5f6b7"),
                                List.of("registry.local/web:2.4.0"), NOW.minusSeconds(86_400), 0, false)),
                Map.of("minutesSinceRollout", "15"),
                List.of("runbook: web needs the database db.default.svc to be reachable before it starts"));
    }

    static AnalysisRequest crashRequest() {
        return new AnalysisRequest(crashLoop(), crashEvidence(), actions());
    }

    // ---- model answers and server responses ---------------------------------------------------------

    static Map<String, Object> action(String type, ResourceRef target, Map<String, Object> parameters, double confidence) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("kind", target.kind());
        t.put("namespace", target.namespace());
        t.put("name", target.name());
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("type", type);
        a.put("target", t);
        a.put("parameters", parameters);
        a.put("confidence", confidence);
        a.put("rationale", "because the evidence says so");
        return a;
    }

    static String answer(double confidence, List<Map<String, Object>> actions) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("category", "bad-rollout");
        m.put("root_cause", "revision 4 (web:2.4.1) cannot reach the database at start-up; revision 3 ran");
        m.put("reasoning", "the crashes began with the rollout 15 minutes ago; the log ends with connection refused");
        m.put("confidence", confidence);
        m.put("actions", actions);
        return json(m);
    }

    static String goodAnswer() {
        return answer(0.86, List.of(action("rollback-deployment", DEPLOYMENT, Map.of("toRevision", 3), 0.82)));
    }

    /** A chat completion in OpenAI's shape (CreateChatCompletionResponse). */
    static String completion(String content) {
        return completion(content, null, "stop");
    }

    static String completion(String content, String refusal, String finishReason) {
        return completion(content, refusal, finishReason, 1234, 156, 1024);
    }

    static String completion(String content, String refusal, String finishReason, int promptTokens,
                             int completionTokens, int cachedTokens) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", "assistant");
        message.put("content", content);
        message.put("refusal", refusal);
        message.put("annotations", List.of());
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("message", message);
        choice.put("logprobs", null);
        choice.put("finish_reason", finishReason);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG");
        body.put("object", "chat.completion");
        body.put("created", 1741570283);
        body.put("model", "gpt-4o-mini-2024-07-18");
        body.put("choices", List.of(choice));
        body.put("usage", Map.of("prompt_tokens", promptTokens, "completion_tokens", completionTokens,
                "total_tokens", promptTokens + completionTokens,
                "prompt_tokens_details", Map.of("cached_tokens", cachedTokens, "audio_tokens", 0),
                "completion_tokens_details", Map.of("reasoning_tokens", 0, "audio_tokens", 0,
                        "accepted_prediction_tokens", 0, "rejected_prediction_tokens", 0)));
        body.put("service_tier", "default");
        return json(body);
    }

    /** OpenAI's error body (ErrorResponse). */
    static String openAiError(String message, String type, String code) {
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("message", message);
        err.put("type", type);
        err.put("param", null);
        err.put("code", code);
        return json(Map.of("error", err));
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- configuration and context ------------------------------------------------------------------

    /** {@code llm.*} for a loopback stub; fast retries so tests do not wait. */
    static Map<String, String> llm(String baseUrl, String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("llm.base_url", baseUrl);
        m.put("llm.api_key", "sk-test-0123456789abcdefghij");
        m.put("llm.retry_backoff", "10ms");
        m.put("llm.retry_max_delay", "50ms");
        m.put("llm.analysis_timeout", "10s");
        m.put("llm.read_timeout", "5s");
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (keyValues[i + 1] == null) m.remove(keyValues[i]);
            else m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    static OpenAiConfig config(Map<String, String> values) {
        return OpenAiConfig.from(ConfigView.of(values), name -> null);
    }

    static OpenAiAnalyzer analyzer(Map<String, String> values) {
        return new OpenAiAnalyzer(config(values), Clock.fixed(NOW, ZoneOffset.UTC), OutcomeHistory.none());
    }

    static ProviderContext context(ConfigView config, Clock clock, OutcomeHistory outcomes) {
        return new ProviderContext() {
            public ConfigView config() {
                return config;
            }

            public Optional<ApiClient> apiClient() {
                return Optional.empty();
            }

            public Clock clock() {
                return clock;
            }

            public ClusterView cluster() {
                return EMPTY_CLUSTER;
            }

            public OutcomeHistory outcomes() {
                return outcomes;
            }
        };
    }

    static final ClusterView EMPTY_CLUSTER = new ClusterView() {
        public <T extends KubernetesObject> List<T> list(Class<T> type, String namespace) {
            return List.of();
        }

        public <T extends KubernetesObject> Optional<T> get(Class<T> type, String namespace, String name) {
            return Optional.empty();
        }

        public <T extends KubernetesObject> List<T> ownedBy(Class<T> type, String ownerUid) {
            return List.of();
        }

        public List<V1Pod> podsOnNode(String nodeName) {
            return List.of();
        }

        public List<CoreV1Event> eventsFor(ResourceRef ref) {
            return List.of();
        }
    };
}

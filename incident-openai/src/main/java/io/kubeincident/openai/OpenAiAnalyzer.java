package io.kubeincident.openai;

import io.kubeincident.api.Redactor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Incident;
import io.kubeincident.api.OutcomeRecord;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.GenerativeAnalyzer;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.OutcomeHistory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Explains incidents with a chat completion model (OpenAI, Azure OpenAI or an OpenAI-compatible server)
 * and proposes actions from the registered catalog, as one strict JSON answer that is validated before
 * it is returned.
 *
 * <p>It answers {@link AnalysisOutcome.Diagnosed} only with a valid answer; everything else goes back to
 * the engine as {@link AnalysisOutcome.Failed} (HTTP errors, timeouts, refusals, cut-off, empty or invalid
 * answers, with the redacted raw answer and the rejection reasons in the details) or
 * {@link AnalysisOutcome.Declined} (token budget spent, too many analyses running, circuit open), and the
 * rules analyzer answers instead. Thread-safe; {@link #close()} releases the HTTP client.
 */
public final class OpenAiAnalyzer implements Analyzer, GenerativeAnalyzer, AutoCloseable {

    public static final String ID = "openai";
    static final int MAX_RAW_ANSWER_CHARS = 2000;
    /** Root cause and reasoning kept for the audit and humans. */
    static final int MAX_TEXT_CHARS = 4000;
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiAnalyzer.class);

    private final OpenAiConfig config;
    private final ChatCompletionClient client;
    private final OutcomeHistory outcomes;
    private final ClusterView cluster;
    private final ContextRenderer renderer;
    private final AnswerValidator validator = new AnswerValidator();
    private final AnalysisCache cache;
    private final TokenBudget budget;
    private final CircuitBreaker circuit;
    private final Semaphore slots;
    /** Set once a server refused json_schema; later requests use json_object. */
    private volatile boolean jsonSchemaRejected;
    /** Set on a 401/403/404: the analyzer declines until it is rebuilt with another configuration. */
    private volatile String configurationError;
    private final AtomicLong configErrors = new AtomicLong();
    private final ObjectMapper mapper = new ObjectMapper();

    private final AtomicLong analyses = new AtomicLong();
    private final AtomicLong diagnosed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong declined = new AtomicLong();
    private final AtomicLong cacheHits = new AtomicLong();
    private final AtomicLong invalidAnswers = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong completionTokens = new AtomicLong();
    private final AtomicLong cachedTokens = new AtomicLong();

    public OpenAiAnalyzer(OpenAiConfig config, Clock clock, OutcomeHistory outcomes) {
        this(config, clock, outcomes, null);
    }

    /** @param cluster where runbook label criteria are looked up; null when there is none */
    public OpenAiAnalyzer(OpenAiConfig config, Clock clock, OutcomeHistory outcomes, ClusterView cluster) {
        this(config, new ChatCompletionClient(config, clock), clock, outcomes, cluster);
    }

    OpenAiAnalyzer(OpenAiConfig config, ChatCompletionClient client, Clock clock, OutcomeHistory outcomes) {
        this(config, client, clock, outcomes, null);
    }

    OpenAiAnalyzer(OpenAiConfig config, ChatCompletionClient client, Clock clock, OutcomeHistory outcomes,
                   ClusterView cluster) {
        this.config = config;
        this.client = client;
        this.outcomes = outcomes == null ? OutcomeHistory.none() : outcomes;
        this.cluster = cluster;
        this.renderer = new ContextRenderer(config.contextTokenBudget());
        this.cache = new AnalysisCache(config.cacheTtl(), 1000, clock);
        this.budget = new TokenBudget(config.tokenBudgetPerIncident(), config.tokenBudgetPerDay(), clock);
        this.circuit = new CircuitBreaker(config.circuitFailureThreshold(), config.circuitOpenDuration(), clock);
        this.slots = new Semaphore(config.maxConcurrency());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return 100;
    }

    public OpenAiConfig config() {
        return config;
    }

    @Override
    public AnalysisOutcome analyze(AnalysisRequest request) {
        analyses.incrementAndGet();
        AnalysisOutcome outcome;
        try {
            outcome = doAnalyze(request);
        } catch (RuntimeException e) {
            LOG.warn("openai analyzer failed unexpectedly for incident {}", request.incident().id(), e);
            outcome = AnalysisOutcome.failed("unexpected error: " + e.getClass().getSimpleName() + ": "
                    + Redactor.redact(String.valueOf(e.getMessage())));
        }
        if (outcome instanceof AnalysisOutcome.Diagnosed) diagnosed.incrementAndGet();
        else if (outcome instanceof AnalysisOutcome.Failed) failed.incrementAndGet();
        else declined.incrementAndGet();
        return outcome;
    }

    /** What one request asks, in one answer format. */
    private record Question(OpenAiConfig.ResponseFormat format, String promptVersion, ObjectNode body,
                            Map<String, Object> checkSchema, int estimatedTokens) {
    }

    private Question question(AnalysisRequest request, OpenAiConfig.ResponseFormat format, String user) {
        boolean strict = format == OpenAiConfig.ResponseFormat.JSON_SCHEMA;
        Map<String, Object> sentSchema = ResponseSchema.build(request, config.maxActions(), strict);
        Map<String, Object> checkSchema = strict ? sentSchema : ResponseSchema.build(request, config.maxActions(), false);
        String schemaJson = json(sentSchema);
        String system = strict ? config.prompts().system()
                : config.prompts().system() + "\n\nAnswer format: one JSON object and no other text, matching this "
                + "JSON schema:\n" + schemaJson;
        int estimated = TokenEstimator.estimate(system) + TokenEstimator.estimate(user)
                + (strict ? TokenEstimator.estimate(schemaJson) : 0) + 16;
        return new Question(format, config.prompts().version(request.incident().type(), format, request.availableActions()),
                requestBody(system, user, sentSchema, format), checkSchema, estimated);
    }

    private OpenAiConfig.ResponseFormat format() {
        return jsonSchemaRejected ? OpenAiConfig.ResponseFormat.JSON_OBJECT : config.responseFormat();
    }

    /**
     * Checks the key and the model once (see {@link ChatCompletionClient#preflight()}); on a configuration
     * error the analyzer is disabled, says so once at ERROR, and every analysis declines with the reason
     * until the configuration changes (a new analyzer).
     */
    public Optional<String> preflight() {
        client.preflight().ifPresent(f -> disable("preflight GET models/" + config.model() + ": " + f.describe()));
        return configurationError();
    }

    /** Why the analyzer is disabled (a 401, 403 or unknown model), when it is. */
    public Optional<String> configurationError() {
        return Optional.ofNullable(configurationError);
    }

    private void disable(String why) {
        synchronized (this) {
            if (configurationError != null) return;
            configurationError = why;
        }
        configErrors.incrementAndGet();
        LOG.error("openai analyzer DISABLED until the configuration changes (llm.* settings or the API key): {}; "
                + "the rules analyzer answers meanwhile", why);
    }

    private AnalysisOutcome doAnalyze(AnalysisRequest request) {
        Incident incident = request.incident();
        String disabled = configurationError;
        if (disabled != null) {
            return AnalysisOutcome.declined("disabled by a configuration error until the configuration changes: " + disabled);
        }
        OpenAiConfig.ResponseFormat format = format();
        String promptVersion = config.prompts().version(incident.type(), format, request.availableActions());
        List<OutcomeRecord> history = outcomes.forResource(incident.rootResource());
        List<String> runbooks = config.runbooks().matching(incident, cluster);
        String cacheKey = cacheKey(incident, promptVersion, history, runbooks);

        Optional<Diagnosis> cached = cache.get(cacheKey);
        if (cached.isPresent()) {
            cacheHits.incrementAndGet();
            return AnalysisOutcome.diagnosed(fromCache(cached.get(), request));
        }

        ContextRenderer.Rendered context = renderer.render(request,
                outcomeLines(incident, request.availableActions(), history), runbooks);
        String user = config.prompts().userMessage(incident, context.text());
        Question q = question(request, format, user);

        Optional<String> overBudget = budget.refusal(incident.id(), q.estimatedTokens() + (long) config.maxCompletionTokens());
        if (overBudget.isPresent()) return AnalysisOutcome.declined(overBudget.get());
        if (!slots.tryAcquire()) {
            return AnalysisOutcome.declined(config.maxConcurrency() + " analyses already running (llm.max_concurrency)");
        }
        ChatResult result;
        boolean fellBack = false;
        try {
            if (!circuit.tryAcquire()) return AnalysisOutcome.declined(circuit.describe());
            ChatCompletionClient.Deadline deadline = ChatCompletionClient.Deadline.after(config.analysisTimeout());
            result = client.complete(q.body(), deadline);
            if (format == OpenAiConfig.ResponseFormat.JSON_SCHEMA && rejectsJsonSchema(result)) {
                // a server without Structured Outputs: the schema goes into the prompt from now on
                jsonSchemaRejected = true;
                fellBack = true;
                LOG.warn("the server rejected response_format json_schema ({}); using json_object with the schema in "
                        + "the prompt from now on", ((ChatResult.Failure) result).describe());
                q = question(request, OpenAiConfig.ResponseFormat.JSON_OBJECT, user);
                result = client.complete(q.body(), deadline);
            }
        } finally {
            slots.release();
        }
        int estimated = q.estimatedTokens();
        promptVersion = q.promptVersion();
        Map<String, Object> checkSchema = q.checkSchema();
        if (fellBack) cacheKey = cacheKey(incident, promptVersion, history, runbooks);

        Map<String, String> details = new LinkedHashMap<>();
        details.put("llm.provider", config.provider().id());
        details.put("llm.model", config.model());
        details.put("llm.prompt_version", promptVersion);
        details.put("llm.response_format", q.format().id());
        if (fellBack) details.put("llm.response_format_fallback", "json_schema rejected by the server");
        details.put("llm.context_tokens_estimate", Integer.toString(context.estimatedTokens()));
        details.put("llm.attempts", Integer.toString(result.attempts()));

        if (result instanceof ChatResult.Failure f) {
            if (ChatCompletionClient.configurationError(f)) {
                disable(f.describe());
                circuit.release();
            } else if (f.kind() == ChatResult.Kind.QUOTA) circuit.trip(f.describe());
            else circuit.onFailure(f.describe());
            details.put("llm.error", f.describe());
            if (f.status() != 0) details.put("llm.http_status", Integer.toString(f.status()));
            if (f.errorCode() != null) details.put("llm.error_code", f.errorCode());
            if (f.errorType() != null) details.put("llm.error_type", f.errorType());
            LOG.warn("openai analysis of incident {} failed: {}", incident.id(), f.describe());
            return AnalysisOutcome.failed(reason(f), details);
        }
        // the circuit hears about this answer once it is known to be usable: a malformed, cut-off, refused or
        // rejected answer is a failure like an HTTP error
        ChatResult.Completion c = (ChatResult.Completion) result;
        ChatResult.Usage usage = c.usage().reported() ? c.usage()
                : new ChatResult.Usage(estimated, TokenEstimator.estimate(c.content()), 0,
                estimated + TokenEstimator.estimate(c.content()), false);
        charge(incident, usage);
        details.putAll(usageAttributes(usage));
        if (!c.model().isBlank()) details.put("llm.model", c.model());
        if (!c.id().isBlank()) details.put("llm.response_id", c.id());
        if (c.finishReason() != null) details.put("llm.finish_reason", c.finishReason());

        Optional<String> unusable = unusable(c);
        if (unusable.isPresent()) {
            invalidAnswers.incrementAndGet();
            putRaw(details, c.content() != null ? c.content() : c.refusal());
            LOG.warn("openai answer for incident {} not usable: {}", incident.id(), unusable.get());
            circuit.onFailure("unusable answer: " + unusable.get());
            return AnalysisOutcome.failed(unusable.get(), details);
        }

        AnswerValidator.Result verdict = validator.validate(c.content(), request, checkSchema);
        if (verdict instanceof AnswerValidator.Rejected rejected) {
            invalidAnswers.incrementAndGet();
            putRaw(details, c.content());
            details.put("llm.rejections", String.join("; ", rejected.reasons()));
            String first = rejected.reasons().get(0);
            int more = rejected.reasons().size() - 1;
            LOG.warn("openai answer for incident {} rejected: {}", incident.id(), details.get("llm.rejections"));
            circuit.onFailure("rejected answer: " + Redactor.redactBounded(first, 200));
            return AnalysisOutcome.failed("invalid answer: " + Redactor.redact(first)
                    + (more > 0 ? " (and " + more + " more)" : ""), details);
        }
        circuit.onSuccess();
        AnswerValidator.Accepted ok = (AnswerValidator.Accepted) verdict;
        Map<String, String> attributes = new LinkedHashMap<>(details);
        attributes.put("llm.cache", "miss");
        Diagnosis diagnosis = new Diagnosis(ok.category(), Redactor.redactBounded(ok.rootCause(), MAX_TEXT_CHARS),
                Redactor.redactBounded(ok.reasoning(), MAX_TEXT_CHARS), ok.confidence(), ID,
                redactRationales(ok.actions()), attributes);
        cache.put(cacheKey, diagnosis);
        LOG.info("openai diagnosed incident {} as {} (confidence {}, {} actions, {} tokens)", incident.id(),
                diagnosis.category(), diagnosis.confidence(), diagnosis.actions().size(), usage.totalTokens());
        return AnalysisOutcome.diagnosed(diagnosis);
    }

    /** Fingerprint + model + prompt version; a new outcome for the workload or other runbooks make a different question. */
    private String cacheKey(Incident incident, String promptVersion, List<OutcomeRecord> history, List<String> runbooks) {
        return incident.fingerprint() + '|' + config.model() + '|' + promptVersion + '|' + history.size() + '|'
                + (history.isEmpty() ? "-" : history.get(0).at()) + '|' + runbooks.hashCode();
    }

    /** A 400 that names the response format: the server does not support json_schema. */
    private static boolean rejectsJsonSchema(ChatResult result) {
        if (!(result instanceof ChatResult.Failure f) || f.status() != 400 || f.message() == null) return false;
        String m = f.message().toLowerCase(Locale.ROOT);
        return m.contains("response_format") || m.contains("json_schema") || m.contains("structured output");
    }

    /** The chat completion request body (shape of the spec's CreateChatCompletionRequest). */
    ObjectNode requestBody(String system, String user, Map<String, Object> schema, OpenAiConfig.ResponseFormat format) {
        ObjectNode body = mapper.createObjectNode();
        body.put("model", config.model());
        var messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", system);
        messages.addObject().put("role", "user").put("content", user);
        if (config.temperature() != null) body.put("temperature", config.temperature());
        body.put(config.maxTokensField(), config.maxCompletionTokens());
        ObjectNode rf = body.putObject("response_format");
        if (format == OpenAiConfig.ResponseFormat.JSON_SCHEMA) {
            rf.put("type", "json_schema");
            ObjectNode js = rf.putObject("json_schema");
            js.put("name", ResponseSchema.NAME);
            js.put("description", "diagnosis of one Kubernetes incident with actions from the available catalog");
            js.put("strict", true);
            js.set("schema", mapper.valueToTree(schema));
        } else {
            rf.put("type", "json_object");
        }
        return body;
    }

    private static Optional<String> unusable(ChatResult.Completion c) {
        if (c.refusal() != null) {
            return Optional.of("model refused: " + Redactor.redactBounded(c.refusal(), 200));
        }
        String finish = c.finishReason() == null ? "" : c.finishReason().toLowerCase(Locale.ROOT);
        if (finish.equals("length")) {
            return Optional.of("answer cut off at the token limit (finish_reason length; raise llm.max_completion_tokens)");
        }
        if (finish.equals("content_filter")) return Optional.of("answer withheld by the content filter");
        if (finish.equals("tool_calls") || finish.equals("function_call")) {
            return Optional.of("model answered with a tool call instead of content");
        }
        if (c.content() == null || c.content().isBlank()) return Optional.of("empty content in the answer");
        return Optional.empty();
    }

    private static String reason(ChatResult.Failure f) {
        return switch (f.kind()) {
            case QUOTA -> "insufficient quota, not retried: " + f.describe();
            case HTTP -> ChatCompletionClient.configurationError(f)
                    ? "configuration error, analyzer disabled until the configuration changes: " + f.describe()
                    : "LLM request failed: " + f.describe();
            case TIMEOUT -> "timed out: " + f.describe();
            default -> "LLM request failed: " + f.describe();
        };
    }

    /** A cached diagnosis, its actions re-checked against the incident as it is now (pods come and go). */
    private Diagnosis fromCache(Diagnosis d, AnalysisRequest request) {
        List<ProposedAction> kept = new ArrayList<>();
        for (ProposedAction a : d.actions()) {
            if (!request.actionAvailable(a.actionType())) continue;
            ResourceRef now = null;
            for (ResourceRef r : request.incident().resources()) if (r.sameTarget(a.target())) now = r;
            if (now == null && request.incident().rootResource().sameTarget(a.target())) now = request.incident().rootResource();
            if (now == null) continue;
            kept.add(new ProposedAction(a.actionType(), now, a.parameters(), a.confidence(), a.rationale()));
        }
        Map<String, String> attributes = new LinkedHashMap<>(d.attributes());
        attributes.put("llm.cache", "hit");
        attributes.put("llm.prompt_tokens", "0");
        attributes.put("llm.completion_tokens", "0");
        attributes.put("llm.cached_tokens", "0");
        attributes.put("llm.total_tokens", "0");
        if (kept.size() < d.actions().size()) {
            attributes.put("llm.cache_dropped_actions", Integer.toString(d.actions().size() - kept.size()));
        }
        return new Diagnosis(d.category(), d.rootCause(), d.reasoning(), d.confidence(), ID, kept, attributes);
    }

    /** The learning store's record for this workload and, cluster-wide, for this incident type. */
    private List<String> outcomeLines(Incident incident, List<ActionDescriptor> actions, List<OutcomeRecord> here) {
        List<String> lines = new ArrayList<>();
        Map<String, List<OutcomeRecord>> byAction = new LinkedHashMap<>();
        for (OutcomeRecord r : here) byAction.computeIfAbsent(r.actionType(), k -> new ArrayList<>()).add(r);
        byAction.forEach((action, records) -> lines.add(action + " on " + incident.rootResource().key() + ": "
                + summary(records) + "; latest " + records.get(0).outcome().name().toLowerCase(Locale.ROOT)
                + " at " + records.get(0).at()));
        for (ActionDescriptor a : actions) {
            List<OutcomeRecord> all = outcomes.find(incident.type(), a.id());
            if (!all.isEmpty()) lines.add("all workloads, " + incident.type() + ", " + a.id() + ": " + summary(all));
        }
        return lines;
    }

    private static String summary(List<OutcomeRecord> records) {
        Map<OutcomeRecord.Outcome, Integer> counts = new LinkedHashMap<>();
        for (OutcomeRecord.Outcome o : OutcomeRecord.Outcome.values()) counts.put(o, 0);
        for (OutcomeRecord r : records) counts.merge(r.outcome(), 1, Integer::sum);
        List<String> parts = new ArrayList<>();
        counts.forEach((o, n) -> {
            if (n > 0) parts.add(n + " " + o.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        });
        return records.size() + (records.size() == 1 ? " time (" : " times (") + String.join(", ", parts) + ")";
    }

    private void charge(Incident incident, ChatResult.Usage usage) {
        budget.charge(incident.id(), usage.totalTokens());
        promptTokens.addAndGet(usage.promptTokens());
        completionTokens.addAndGet(usage.completionTokens());
        cachedTokens.addAndGet(usage.cachedTokens());
    }

    private static Map<String, String> usageAttributes(ChatResult.Usage usage) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("llm.prompt_tokens", Integer.toString(usage.promptTokens()));
        m.put("llm.completion_tokens", Integer.toString(usage.completionTokens()));
        m.put("llm.cached_tokens", Integer.toString(usage.cachedTokens()));
        m.put("llm.total_tokens", Integer.toString(usage.totalTokens()));
        if (!usage.reported()) m.put("llm.usage_estimated", "true");
        return m;
    }

    private static void putRaw(Map<String, String> details, String raw) {
        if (raw != null) details.put("llm.raw_answer", Redactor.redactBounded(raw, MAX_RAW_ANSWER_CHARS));
    }

    private static List<ProposedAction> redactRationales(List<ProposedAction> actions) {
        List<ProposedAction> out = new ArrayList<>(actions.size());
        for (ProposedAction a : actions) {
            out.add(new ProposedAction(a.actionType(), a.target(), a.parameters(), a.confidence(),
                    Redactor.redactBounded(a.rationale(), MAX_TEXT_CHARS / 4)));
        }
        return out;
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the answer schema", e);
        }
    }

    /** Counters for metrics. */
    public OpenAiStats stats() {
        return new OpenAiStats(analyses.get(), diagnosed.get(), failed.get(), declined.get(), cacheHits.get(),
                invalidAnswers.get(), promptTokens.get(), completionTokens.get(), cachedTokens.get(),
                budget.usedToday(), configurationError != null ? "disabled" : circuit.state().name().toLowerCase(Locale.ROOT));
    }

    @Override
    public void close() {
        client.close();
    }
}

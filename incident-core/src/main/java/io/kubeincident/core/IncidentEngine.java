package io.kubeincident.core;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Decision;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.OutcomeRecord;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.analyze.AnalyzerChain;
import io.kubeincident.core.approval.ApprovalQueue;
import io.kubeincident.core.approval.ApprovalService;
import io.kubeincident.core.approval.Approvals;
import io.kubeincident.core.audit.AuditTrail;
import io.kubeincident.core.config.EngineConfig;
import io.kubeincident.core.config.Mode;
import io.kubeincident.core.correlate.CorrelationConfig;
import io.kubeincident.core.correlate.Correlator;
import io.kubeincident.core.correlate.IncidentEvent;
import io.kubeincident.core.detect.DetectorSet;
import io.kubeincident.core.evidence.EvidenceConfig;
import io.kubeincident.core.evidence.EvidenceGatherer;
import io.kubeincident.api.Redactor;
import io.kubeincident.core.exec.ActionExecutor;
import io.kubeincident.core.exec.EngineContexts;
import io.kubeincident.core.exec.KubeEvents;
import io.kubeincident.core.learn.OutcomeLearning;
import io.kubeincident.core.monitor.ClusterMonitor;
import io.kubeincident.core.monitor.DetectionLoop;
import io.kubeincident.core.monitor.MonitorConfig;
import io.kubeincident.core.monitor.ObjectIndex;
import io.kubeincident.core.monitor.SnapshotClusterView;
import io.kubeincident.core.notify.WebhookNotifier;
import io.kubeincident.core.plan.DecisionFlow;
import io.kubeincident.core.safety.ActionCatalogAware;
import io.kubeincident.core.safety.ActionEnabledPolicy;
import io.kubeincident.core.safety.ActionLedger;
import io.kubeincident.core.safety.RetryBudgetPolicy;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.core.verify.FollowUp;
import io.kubeincident.core.verify.HealthProbe;
import io.kubeincident.core.verify.HealthSnapshot;
import io.kubeincident.core.verify.RemediationTracker;
import io.kubeincident.core.verify.Verification;
import io.kubeincident.core.verify.VerificationConfig;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.FindingSink;
import io.kubeincident.spi.FindingSource;
import io.kubeincident.spi.IncidentListener;
import io.kubeincident.spi.OutcomeHistory;
import io.kubeincident.spi.Reversible;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.SafetyPolicy;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The incident engine, a composition of stages with one pipeline:
 * <pre>
 * detectors of an object's kind ({@link DetectorSet}) → the stateful {@link Correlator} (opened / updated /
 * reopened / resolved, every {@code correlation.*} key honoured) → per incident, in its own lane
 * ({@link IncidentLanes}, {@code analysis.concurrency} incidents at a time): evidence → analyzer chain →
 * decision flow ({@link Planner}) → execution → verification → learning
 * </pre>
 * <ul>
 *   <li>{@link #start()}: continuous mode. Informer events run the detectors on the one object that changed
 *       ({@link DetectionLoop}); a full sweep every {@code monitoring.scan_interval} is the safety net; a
 *       one-second tick over the caches (no API calls) verifies applied actions, expires approvals and resolves
 *       incidents whose quiet period ended.</li>
 *   <li>{@link #runOnce()}: the same pipeline driven by one sweep over a fresh snapshot; waits for the work.</li>
 *   <li>{@link #scan()}: the same detectors, correlation and planning over a snapshot, with a correlator of its
 *       own; plans and decides but never executes and changes no engine state.</li>
 * </ul>
 * One incident's failure (evidence, analysis, planning) is recorded on its report and in the audit; the others
 * go on. A slow analyzer delays only its own incident. Thread-safe.
 */
public final class IncidentEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentEngine.class);
    private static final int MAX_REPLANS = 3;
    static final Duration TICK = Duration.ofSeconds(1);

    /**
     * Diagnosis attribute by which an analyzer says it already weighed the outcome history in its confidences,
     * so the planner does not count the same outcomes twice.
     */
    public static final String OUTCOME_HISTORY_APPLIED = "outcome_history";

    /** Diagnosis attribute: the analyzers that declined or failed before the one that answered, with why. */
    public static final String FALLBACK_ATTRIBUTE = AnalyzerChain.FALLBACK_ATTRIBUTE;

    private final EngineConfig config;
    private final ConfigView rawConfig;
    private final ApiClient apiClient;
    private final Clock clock;
    private final List<Detector> detectors;
    private final DetectorSet detectorSet;
    private final AnalyzerChain analyzerChain;
    private final Map<String, RemediationAction> actions;
    private final List<SafetyPolicy> policies;
    private final List<IncidentListener> listeners;
    private final OutcomeHistory outcomes;
    private final AuditTrail audit;
    private final ActionLedger ledger;
    private final ApprovalQueue approvals;
    private final ApprovalService approvalService;
    private final SafetyConfig safetyConfig;
    private final RemediationTracker tracker;
    private final DecisionFlow decisionFlowUnadjusted;
    private final ActionExecutor executor;
    private final CorrelationConfig correlationConfig;
    private final Correlator correlator;
    private final Planner planner;
    private final KubeEvents kubeEvents;
    private final IncidentLanes lanes;
    private final SharedInformerFactory informerFactory;
    private final List<FindingSource> findingSources;
    /** Findings pushed by {@link FindingSource}s (alerts, metrics rules), by their source key (scan() sees them too). */
    private final Map<String, Finding> externalFindings = new ConcurrentHashMap<>();

    /** Open incidents by id, with their latest report. */
    private final Map<String, IncidentReport> open = new ConcurrentHashMap<>();
    /** The newest state of each incident with work queued, and the ids whose queued work has not started. */
    private final Map<String, Incident> latest = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Optional<IncidentReport>>> queued = new ConcurrentHashMap<>();
    /** Open incidents to plan again at the next sweep (a step was skipped or failed in passing), with how often. */
    private final Map<String, Integer> replans = new ConcurrentHashMap<>();
    private final Set<String> replanNextSweep = ConcurrentHashMap.newKeySet();
    private final Set<String> forcePlan = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> detectorErrors = new ConcurrentHashMap<>();
    private final Object sweepLock = new Object();
    /** The view the incident being planned on this thread was detected in (the actions' preconditions read it). */
    private final ThreadLocal<ClusterView> planningView = new ThreadLocal<>();

    private volatile ScheduledExecutorService ticker;
    private final java.util.concurrent.atomic.AtomicBoolean sourcesStarted = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile DetectionLoop loop;
    private volatile ClusterView lastView = new ObjectIndex(List.of());

    IncidentEngine(IncidentEngineBuilder.Assembly a) {
        this.config = a.config();
        this.rawConfig = a.rawConfig();
        this.apiClient = a.apiClient();
        this.clock = a.clock();
        this.detectors = a.detectors();
        Map<String, RemediationAction> byId = new LinkedHashMap<>();
        a.actions().forEach(act -> byId.put(act.id(), act));
        this.actions = Collections.unmodifiableMap(byId);
        this.policies = a.policies();
        this.informerFactory = a.informerFactory();
        this.findingSources = a.findingSources();
        this.listeners = a.listeners();
        this.outcomes = a.outcomes();
        this.audit = a.audit();
        this.safetyConfig = SafetyConfig.from(rawConfig);
        this.ledger = ActionLedger.of(safetyConfig);
        this.approvals = new ApprovalQueue(clock, rawConfig.getDuration("approval.timeout", Duration.ofHours(1)));
        this.approvalService = new ApprovalService(approvals, this::runApproved, this::recordRejected);
        this.tracker = new RemediationTracker(VerificationConfig.from(rawConfig));
        for (SafetyPolicy p : policies) {
            if (p instanceof ActionCatalogAware aware) aware.catalog(actions.values());
        }
        OutcomeLearning learning = new OutcomeLearning(outcomes);
        DecisionFlow adjusted = DecisionFlow.withAdjuster(config, actions, policies, (incident, proposed) -> {
            try {
                return learning.adjust(incident, proposed);
            } catch (RuntimeException e) {
                LOG.warn("confidence adjustment failed, keeping the analyzer's: {}", e.toString());
                return proposed;
            }
        }).withPreconditions(this::preconditions);
        this.decisionFlowUnadjusted = new DecisionFlow(config, actions, policies, null).withPreconditions(this::preconditions);
        this.executor = new ActionExecutor(actions, ledger, audit, clock, this::denialsNow);
        this.kubeEvents = new KubeEvents(apiClient, clock);
        this.detectorSet = new DetectorSet(detectors, this::detectorFailed);
        this.analyzerChain = new AnalyzerChain(a.analyzers(), config.analysisTimeout(), audit);
        this.planner = new Planner(new EvidenceGatherer(apiClient, clock, EvidenceConfig.from(rawConfig)),
                a.contributors(), learning, analyzerChain, adjusted, decisionFlowUnadjusted, actionDescriptors(), audit);
        this.correlationConfig = CorrelationConfig.from(rawConfig);
        this.correlator = new Correlator(correlationConfig, clock);
        this.lanes = new IncidentLanes(config.analysisConcurrency());
        a.problems().forEach(p -> audit.write("-", "provider-error", AuditTrail.fields().put("message", p).map()));
        announceSwitchedOff();
        audit.write("-", "engine-started", AuditTrail.fields()
                .put("mode", config.mode().id())
                .put("detectors", detectors.stream().map(Detector::id).toList())
                .put("analyzers", analyzers().stream().map(Analyzer::id).toList())
                .put("actions", List.copyOf(actions.keySet()))
                .put("policies", policies.stream().map(SafetyPolicy::id).toList()).map());
    }

    public static IncidentEngineBuilder builder() {
        return new IncidentEngineBuilder();
    }

    public EngineConfig config() {
        return config;
    }

    public List<Detector> detectors() {
        return detectors;
    }

    /** Highest priority first: the order in which they are asked. */
    public List<Analyzer> analyzers() {
        return analyzerChain.analyzers();
    }

    public Map<String, RemediationAction> actions() {
        return actions;
    }

    public List<SafetyPolicy> policies() {
        return policies;
    }

    public List<ActionDescriptor> actionDescriptors() {
        return actions.values().stream().map(RemediationAction::descriptor).toList();
    }

    /**
     * Incidents currently open (runOnce and continuous mode), each with its findings and objects as the correlator
     * knows them now (a finding that changed without changing the plan, an alert that joined) and its last plan.
     */
    public List<IncidentReport> openIncidents() {
        List<IncidentReport> out = new ArrayList<>(open.size());
        for (IncidentReport r : open.values()) {
            out.add(correlator.find(r.incident().id()).filter(i -> i.state() != IncidentState.RESOLVED)
                    .map(r::withIncident).orElse(r));
        }
        return out;
    }

    public List<ApprovalQueue.Pending> pendingApprovals() {
        return approvals.list();
    }

    /** The approve/reject API for held actions. */
    public Approvals approvals() {
        return approvalService;
    }

    /** Incidents whose applied action is being verified. */
    public List<RemediationTracker.Tracked> remediating() {
        return tracker.all();
    }

    /** The ledger of actions the engine started (rate limits, cooldowns, retry budgets read it). */
    public ActionLedger ledger() {
        return ledger;
    }

    // ---------------------------------------------------------------- one-shot

    /**
     * Detects, correlates, analyzes and plans over a fresh snapshot of the cluster; executes nothing and leaves
     * the engine's own incidents alone. Incidents are planned concurrently ({@code analysis.concurrency}); one
     * whose evidence, analysis or plan failed is still reported, with what is missing in
     * {@link IncidentReport#problems()}.
     *
     * @throws ApiException when the cluster cannot be listed (other than a 403 on one kind)
     */
    public List<IncidentReport> scan() throws ApiException {
        ClusterView view = snapshot();
        List<CompletableFuture<IncidentReport>> work = new ArrayList<>();
        for (Incident incident : detect(view)) {
            opened(incident);
            CompletableFuture<IncidentReport> f = new CompletableFuture<>();
            lanes.submit(incident.id(), () -> f.complete(analyzeAndPlan(incident, view)))
                    .whenComplete((v, e) -> f.complete(failedReport(incident, "the engine closed before it was planned")));
            work.add(f);
        }
        return work.stream().map(CompletableFuture::join).toList();
    }

    /**
     * One sweep that acts: detection over a fresh snapshot feeds the engine's correlator; new, reopened and
     * re-typed incidents are analyzed, planned and their allowed actions executed; applied actions are verified;
     * incidents whose findings stayed clear for {@code correlation.quiet_period} are resolved. Returns the
     * reports of the incidents planned in this sweep, once their work is done.
     */
    public List<IncidentReport> runOnce() throws ApiException {
        ClusterView view = snapshot();
        synchronized (sweepLock) {
            List<IncidentEvent> events = correlator.reconcile(detectorSet.sweep(view, detectionContext(view), null), view);
            List<CompletableFuture<Optional<IncidentReport>>> work = new ArrayList<>(housekeeping(view));
            replansDue(work);
            for (IncidentEvent e : events) work.add(dispatch(e));
            return work.stream().map(IncidentEngine::await).flatMap(Optional::stream).toList();
        }
    }

    /** The detectors over every object of a view, grouped by a correlator of their own (stateless). */
    List<Incident> detect(ClusterView view) {
        Correlator once = new Correlator(correlationConfig, clock);
        once.reconcile(detectorSet.sweep(view, detectionContext(view), null), view);
        externalFindings.forEach((key, finding) -> once.observeExternal(key, finding, view));
        return once.active();
    }

    // ---------------------------------------------------------------- findings from outside the watches

    /**
     * What {@link FindingSource}s report to: a finding under its source key (a re-delivery replaces it) goes into the
     * correlator at once, so an alert about a pod joins the incident the watch opened for it, and a cleared key
     * leaves it.
     */
    private final FindingSink findingSink = new FindingSink() {
        @Override
        public void report(String sourceKey, Finding finding) {
            java.util.Objects.requireNonNull(sourceKey, "sourceKey");
            java.util.Objects.requireNonNull(finding, "finding");
            if (finding.equals(externalFindings.put(sourceKey, finding))) return;
            for (IncidentEvent e : correlator.observeExternal(sourceKey, finding, lastView)) dispatch(e);
        }

        @Override
        public void clear(String sourceKey) {
            java.util.Objects.requireNonNull(sourceKey, "sourceKey");
            if (externalFindings.remove(sourceKey) == null) return;
            for (IncidentEvent e : correlator.observeExternal(sourceKey, null, lastView)) dispatch(e);
        }
    };

    /** The sink the engine's finding sources report to (hosts and tests may report to it directly). */
    public FindingSink findingSink() {
        return findingSink;
    }

    /** Evidence, analysis and plan of one incident; never throws (what failed is in the report's problems). */
    IncidentReport analyzeAndPlan(Incident incident, ClusterView view) {
        boolean dryRun = config.mode() == Mode.DRY_RUN;
        IncidentReport report;
        try {
            planningView.set(view);
            report = planner.plan(incident, view, provenance -> new EngineContexts.Safety(incident, descriptorsById(),
                    dryRun, view, rawConfig, clock, ledger, provenance), dryRun);
        } catch (RuntimeException e) {
            LOG.error("planning incident {} failed", incident.id(), e);
            report = failedReport(incident, "planning failed: " + Redactor.redact(e.toString()));
        } finally {
            planningView.remove();
        }
        IncidentReport r = report;
        listeners.forEach(l -> safely(() -> l.onIncidentAnalyzed(r)));
        return report;
    }

    private IncidentReport failedReport(Incident incident, String problem) {
        audit.write(incident.id(), "incomplete", AuditTrail.fields().put("resource", incident.rootResource().key())
                .put("problems", List.of(problem)).map());
        return new IncidentReport(incident, Evidence.empty(), new Diagnosis("unknown", "not analyzed", problem, 0.0,
                "engine", List.of(), Map.of()), List.of(), List.of(problem));
    }

    // ---------------------------------------------------------------- continuous

    /**
     * Starts continuous mode: shared informers watch the cluster ({@link ClusterMonitor}); each change runs the
     * detectors of that kind on that object and the correlator ({@link DetectionLoop}); a full sweep runs every
     * {@code monitoring.scan_interval} (the first right after the caches synced); a one-second tick over the
     * caches verifies applied actions, expires approvals and resolves quiet incidents. Nothing is polled from
     * the API server. Idempotent.
     */
    public synchronized void start() {
        if (loop != null) return;
        if (apiClient == null) throw new IllegalStateException("no ApiClient: give the builder one");
        ClusterMonitor monitor = ClusterMonitor.builder().apiClient(apiClient).informerFactory(informerFactory)
                .config(MonitorConfig.from(rawConfig)).build();
        lastView = monitor.view();
        loop = DetectionLoop.builder(monitor, detectorSet).correlator(correlator).config(rawConfig).clock(clock)
                .scanInterval(config.scanInterval()).onEvent(this::dispatch).afterSweep(() -> replansDue(new ArrayList<>()))
                .build();
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kube-incident-tick");
            t.setDaemon(true);
            return t;
        });
        loop.start();
        ticker.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Continuous mode's cluster monitor (per-kind cache sync and counters, for a host's status page); empty before {@link #start()}. */
    public Optional<ClusterMonitor> clusterMonitor() {
        DetectionLoop l = loop;
        return l == null ? Optional.empty() : Optional.of(l.monitor());
    }

    /** True once continuous mode's caches have synced (readiness), or in one-shot use. */
    public boolean isReady() {
        DetectionLoop l = loop;
        return l == null || l.monitor().isReady();
    }

    private void tick() {
        DetectionLoop l = loop;
        if (l == null || !l.monitor().isReady()) return;  // a partial view would conclude wrongly
        if (sourcesStarted.compareAndSet(false, true)) startFindingSources();
        try {
            housekeeping(l.monitor().view());
            for (IncidentEvent e : correlator.tick()) dispatch(e);
        } catch (RuntimeException e) {
            LOG.error("tick failed", e);
        }
    }

    /**
     * Starts the finding sources once the caches have synced: an alert about a pod is placed by the pod's owner chain,
     * which only a synced view knows.
     */
    private void startFindingSources() {
        for (FindingSource source : findingSources) {
            try {
                source.start(findingSink);
            } catch (RuntimeException e) {
                audit.write("-", "provider-error", AuditTrail.fields().put("finding_source", source.id())
                        .put("message", Redactor.redact(e.toString())).map());
            }
        }
    }

    @Override
    public void close() {
        findingSources.forEach(IncidentEngine::closeQuietly);
        ScheduledExecutorService t = ticker;
        if (t != null) t.shutdownNow();
        DetectionLoop l = loop;
        if (l != null) l.close();
        lanes.close();
        analyzerChain.close();
        for (IncidentListener listener : listeners) {
            if (listener instanceof WebhookNotifier n) n.close(Duration.ofSeconds(2));  // ours: flush what is queued
        }
        closeQuietly(outcomes);
        audit.close();
    }

    // ---------------------------------------------------------------- incident events

    /** Takes one correlator event: audits and announces it at once, queues the incident's work in its lane. */
    private CompletableFuture<Optional<IncidentReport>> dispatch(IncidentEvent event) {
        Incident incident = event.incident();
        if (event instanceof IncidentEvent.Opened) {
            opened(incident);
            return queue(incident);
        }
        if (event instanceof IncidentEvent.Reopened r) {
            audit.write(incident.id(), "reopened", AuditTrail.fields().put("type", incident.type())
                    .put("resource", incident.rootResource().key()).put("flaps", r.flaps()).map());
            listeners.forEach(l -> safely(() -> l.onIncidentOpened(incident)));
            return queue(incident);
        }
        if (event instanceof IncidentEvent.Updated) {
            IncidentReport prior = open.get(incident.id());
            if (prior == null || !prior.incident().type().equals(incident.type())) return queue(incident);
            open.computeIfPresent(incident.id(), (k, r) -> r.withIncident(incident));
            return done();
        }
        // Resolved: its findings stayed clear for the quiet period (under verification, verification concludes)
        if (!tracker.tracking(incident.id())) resolved(incident, null);
        return done();
    }

    /**
     * Queues work for the incident in its lane: plan and act if it was never planned, if its type changed or if
     * a re-plan is due. Work queued but not started yet takes the newest state, so a burst of updates during an
     * analysis makes one more pass after it, not one per update.
     */
    private CompletableFuture<Optional<IncidentReport>> queue(Incident incident) {
        String id = incident.id();
        latest.put(id, incident);
        CompletableFuture<Optional<IncidentReport>> result = new CompletableFuture<>();
        CompletableFuture<Optional<IncidentReport>> already = queued.putIfAbsent(id, result);
        if (already != null) return already;
        lanes.submit(id, () -> {
            queued.remove(id, result);
            Incident now = latest.get(id);
            result.complete(now == null ? Optional.empty() : handle(now));
        }).whenComplete((v, e) -> {
            queued.remove(id, result);
            if (e != null) result.completeExceptionally(e);
            else result.complete(Optional.empty());
        });
        return result;
    }

    private Optional<IncidentReport> handle(Incident incident) {
        String id = incident.id();
        IncidentReport prior = open.get(id);
        boolean forced = forcePlan.remove(id);
        if (prior != null && !forced && prior.incident().type().equals(incident.type())) {
            open.computeIfPresent(id, (k, r) -> r.withIncident(incident));
            return Optional.empty();
        }
        if (prior != null && (prior.incident().state() == IncidentState.ESCALATED || tracker.tracking(id))) {
            return Optional.empty();  // a human owns it, or verification is under way
        }
        if (!correlator.detectedIds().contains(id) && !forced) return Optional.empty();  // cleared meanwhile
        ClusterView view = lastView;
        IncidentReport report = analyzeAndPlan(incident, view);
        open.put(id, report);
        act(report, view);
        return Optional.of(report);
    }

    /** The result of an incident's work; an {@link Error} inside it (the host is in trouble) is thrown here. */
    private static Optional<IncidentReport> await(CompletableFuture<Optional<IncidentReport>> work) {
        try {
            return work.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof Error error) throw error;
            throw e;
        }
    }

    private static CompletableFuture<Optional<IncidentReport>> done() {
        return CompletableFuture.completedFuture(Optional.empty());
    }

    /** Audits and announces a newly seen incident (once per incident, not once per sweep). */
    private void opened(Incident i) {
        audit.write(i.id(), "detected", AuditTrail.fields().put("type", i.type())
                .put("severity", i.severity().name()).put("resource", i.rootResource().key())
                .put("fingerprint", i.fingerprint()).put("findings", i.findings().size())
                .put("message", i.findings().isEmpty() ? null : i.findings().get(0).message()).map());
        listeners.forEach(l -> safely(() -> l.onIncidentOpened(i)));
    }

    private void resolved(Incident incident, String message) {
        open.remove(incident.id());
        replans.remove(incident.id());
        replanNextSweep.remove(incident.id());
        approvals.withdraw(incident.id());
        Incident resolved = incident.withState(IncidentState.RESOLVED, clock.instant());
        audit.write(resolved.id(), "resolved", AuditTrail.fields().put("resource", resolved.rootResource().key())
                .put("type", resolved.type()).put("message", message).map());
        listeners.forEach(l -> safely(() -> l.onIncidentResolved(resolved)));
    }

    // ---------------------------------------------------------------- time-based work

    /**
     * One look at every incident under verification (its follow-up runs in the incident's lane) and the expiry of
     * approvals. Reads only the given view.
     */
    private List<CompletableFuture<Optional<IncidentReport>>> housekeeping(ClusterView view) {
        lastView = view;
        List<CompletableFuture<Optional<IncidentReport>>> work = new ArrayList<>();
        Set<String> detected = correlator.detectedIds();
        for (RemediationTracker.Concluded c : tracker.observe(view, detected, clock.instant())) {
            String id = c.tracked().incident().id();
            CompletableFuture<Optional<IncidentReport>> f = new CompletableFuture<>();
            lanes.submit(id, () -> {
                Incident current = correlator.detectedIds().contains(id) ? correlator.find(id).orElse(null) : null;
                f.complete(followUp(c, current, lastView));
            }).whenComplete((v, e) -> {
                if (e != null) f.completeExceptionally(e);
                else f.complete(Optional.empty());
            });
            work.add(f);
        }
        for (ApprovalQueue.Pending expired : approvals.expire()) {
            audit.write(expired.incident().id(), "approval-expired", AuditTrail.fields().put("approval_id", expired.id())
                    .put("action", expired.action().action().actionType())
                    .put("resource", expired.action().action().target().key()).map());
            if (open.containsKey(expired.incident().id())) {
                escalate(expired.incident(), "approval " + expired.id() + " for " + expired.action().action().actionType()
                        + " expired without a decision");
            }
        }
        return work;
    }

    /** Queues the re-plans that the last act() asked for (passing failures), for incidents still detected. */
    private void replansDue(List<CompletableFuture<Optional<IncidentReport>>> work) {
        Set<String> detected = correlator.detectedIds();
        for (String id : List.copyOf(replanNextSweep)) {
            replanNextSweep.remove(id);
            IncidentReport r = open.get(id);
            if (r == null || !detected.contains(id) || r.incident().state() == IncidentState.ESCALATED
                    || tracker.tracking(id)) continue;
            Optional<Incident> current = correlator.find(id);
            if (current.isEmpty()) continue;
            forcePlan.add(id);
            work.add(queue(current.get()));
        }
    }

    /**
     * Carries out what verification concluded: resolved → closed; worse → undone when the action is reversible,
     * then escalated; not improved → planned again on the current state if the retry budget allows (the policies
     * decide the next step), else escalated. The outcome is learnt either way.
     */
    private Optional<IncidentReport> followUp(RemediationTracker.Concluded c, Incident current, ClusterView view) {
        RemediationTracker.Tracked t = c.tracked();
        Incident incident = t.incident();
        Verification.Observation o = c.observation();
        audit.write(incident.id(), "verified", AuditTrail.fields().put("action", t.action().action().actionType())
                .put("resource", t.action().action().target().key()).put("result", o.conclusion().name().toLowerCase())
                .put("message", o.detail()).map());
        OutcomeRecord.Outcome outcome = switch (o.conclusion()) {
            case RESOLVED -> OutcomeRecord.Outcome.RESOLVED;
            case WORSE -> OutcomeRecord.Outcome.WORSE;
            default -> OutcomeRecord.Outcome.NOT_IMPROVED;
        };
        try {
            outcomes.record(new OutcomeRecord(incident.type(), t.category(), t.action().action().actionType(),
                    incident.rootResource(), outcome, clock.instant()));
        } catch (RuntimeException e) {
            LOG.warn("outcome history failed: {}", e.toString());
        }
        boolean budgetLeft = RetryBudgetPolicy.spent(ledger, incident.fingerprint(),
                clock.instant().minus(safetyConfig.retryWindow())).size() < safetyConfig.retryBudget();
        FollowUp next = FollowUp.after(o, t.reversible(), budgetLeft);
        if (next instanceof FollowUp.Resolve) {
            if (current == null) {
                correlator.resolve(incident.id());
                resolved(incident, o.detail());
            }
            return Optional.empty();
        }
        if (next instanceof FollowUp.UndoThenEscalate) {
            var ctx = new EngineContexts.Action(apiClient, view, rawConfig, clock, incident, kubeEvents);
            ActionResult undone = executor.undo(incident, t.action(), t.request(), t.applied(), ctx, o.detail());
            escalate(incident, o.detail() + "; undo: " + undone.kind() + " (" + undone.message() + ")");
            return Optional.empty();
        }
        if (next instanceof FollowUp.Escalate || current == null) {
            escalate(incident, next.reason());
            return Optional.empty();
        }
        // Not improved and budget left: plan again on what the cluster shows now, under the same incident id.
        Incident again = current.withState(IncidentState.REMEDIATING, clock.instant());
        IncidentReport report = analyzeAndPlan(again, view);
        open.put(again.id(), report);
        if (!act(report, view)) {
            escalate(again, o.detail() + "; no further safe action in the new plan");
        }
        return Optional.of(report);
    }

    // ---------------------------------------------------------------- acting

    /**
     * Runs the first plan step that executes (trying the next when one fails or is skipped), or holds the first
     * that needs approval. Escalates when the retry budget is spent. True when something ran or awaits approval.
     */
    private boolean act(IncidentReport report, ClusterView view) {
        Incident incident = report.incident();
        List<ActionResult> tried = new ArrayList<>();
        for (PlannedAction pa : report.plan()) {
            switch (pa.decision()) {
                case EXECUTE -> {
                    ActionResult r = execute(incident, report.diagnosis().category(), pa, view, report.diagnosis().reasoning());
                    if (r instanceof ActionResult.Applied || r instanceof ActionResult.DryRun) return true;
                    tried.add(r);
                }
                case APPROVAL -> {
                    var held = approvals.hold(incident, pa);
                    audit.write(incident.id(), "approval-requested", AuditTrail.fields().put("approval_id", held.id())
                            .put("action", pa.action().actionType()).put("resource", pa.action().target().key())
                            .put("confidence", pa.action().confidence()).put("reasons", pa.reasons())
                            .put("expires_at", held.expiresAt().toString()).map());
                    listeners.forEach(l -> safely(() -> l.onApprovalRequested(incident, pa, held.id())));
                    return true;
                }
                default -> {
                    // denied or log-only: already audited as a decision
                }
            }
        }
        Optional<PlannedAction> budget = report.plan().stream().filter(RetryBudgetPolicy::escalates).findFirst();
        if (budget.isPresent()) {
            escalate(incident, budget.get().reasons().stream().filter(r -> r.contains(RetryBudgetPolicy.ESCALATE)).findFirst()
                    .orElse("retry budget spent"));
        } else if (tried.stream().anyMatch(r -> r instanceof ActionResult.Failed f && !f.retryable())
                || !refusedAtPlanning(report).isEmpty()) {
            // refused (a bare pod, no earlier revision), at planning or when run, or forbidden: no automatic way
            // forward, a human owns it
            List<String> why = new ArrayList<>(refusedAtPlanning(report));
            tried.stream().map(ActionResult::message).forEach(why::add);
            escalate(incident, "no planned step could run: " + why);
        } else if (!tried.isEmpty() && config.mode() != Mode.DRY_RUN) {
            // target gone or a passing failure: the next sweep looks again and, if it is still there, plans afresh
            int n = replans.merge(incident.id(), 1, Integer::sum);
            if (n > MAX_REPLANS) {
                replans.remove(incident.id());
                escalate(incident, "planned " + MAX_REPLANS + " times without a step taking effect: "
                        + tried.stream().map(ActionResult::message).toList());
            } else {
                replanNextSweep.add(incident.id());
            }
        }
        return false;
    }

    /** The action's own refusals found at planning (the decision flow's preconditions). */
    private static List<String> refusedAtPlanning(IncidentReport report) {
        return report.plan().stream().filter(pa -> pa.decision() == Decision.DENIED)
                .flatMap(pa -> pa.reasons().stream()).filter(r -> r.startsWith("precondition: refused")).toList();
    }

    /**
     * Scan and run judge a step the same way: the action's own check against the live objects, asked at planning;
     * none without an ApiClient.
     */
    private List<String> preconditions(Incident incident, ProposedAction proposed) {
        RemediationAction action = actions.get(proposed.actionType());
        if (action == null || apiClient == null) return List.of();
        ClusterView view = planningView.get() != null ? planningView.get() : lastView;
        var ctx = new EngineContexts.Action(apiClient, view, rawConfig, clock, incident, kubeEvents);
        return action.validate(ActionRequest.of(incident.id(), proposed, config.mode() == Mode.DRY_RUN), ctx);
    }

    private ActionResult execute(Incident incident, String category, PlannedAction pa, ClusterView view, String reasoning) {
        boolean dryRun = config.mode() == Mode.DRY_RUN;
        var ctx = new EngineContexts.Action(apiClient, view, rawConfig, clock, incident, kubeEvents);
        HealthSnapshot baseline = HealthProbe.of(incident.rootResource(), view);
        ActionResult r = executor.execute(incident, pa, dryRun, ctx, reasoning);
        if (r instanceof ActionResult.Applied) replans.remove(incident.id());
        if (r instanceof ActionResult.Applied applied && !dryRun && tracker.config().enabled()) {
            correlator.setState(incident.id(), IncidentState.REMEDIATING);
            tracker.start(incident.withState(IncidentState.REMEDIATING, clock.instant()), category, pa,
                    ActionRequest.of(incident.id(), pa.action(), false), applied,
                    actions.get(pa.action().actionType()) instanceof Reversible, baseline, clock.instant());
        }
        listeners.forEach(l -> safely(() -> l.onActionExecuted(incident, pa, r)));
        return r;
    }

    /** Hands the incident to a human: audited, listeners told, not acted on again while it lasts. */
    private void escalate(Incident incident, String reason) {
        IncidentReport current = open.get(incident.id());
        if (current != null && current.incident().state() == IncidentState.ESCALATED) return;  // once is enough
        tracker.forget(incident.id());
        approvals.withdraw(incident.id());
        correlator.setState(incident.id(), IncidentState.ESCALATED);
        Incident escalated = incident.withState(IncidentState.ESCALATED, clock.instant());
        open.computeIfPresent(incident.id(), (k, r) -> r.withIncident(escalated));
        audit.write(incident.id(), "escalated", AuditTrail.fields().put("resource", incident.rootResource().key())
                .put("type", incident.type()).put("reasons", List.of(reason)).map());
        listeners.forEach(l -> safely(() -> l.onIncidentEscalated(escalated, reason)));
    }

    /**
     * The policies' word on a planned action against the ledger as it is now (incidents are planned concurrently,
     * so a limit can fill between planning and the start): only a deny stops it here.
     */
    private List<String> denialsNow(Incident incident, PlannedAction planned, io.kubeincident.spi.ActionContext context) {
        ProposedAction p = planned.action();
        Diagnosis single = new Diagnosis("recheck", "", "", p.confidence(), "engine", List.of(p), Map.of());
        PlannedAction now = decisionFlowUnadjusted.plan(incident, single, safetyContext(incident, context.cluster())).get(0);
        return now.verdict().isDeny() ? now.verdict().reasons() : List.of();
    }

    // ---------------------------------------------------------------- approvals

    /** Executes a held action; empty when the id is unknown, expired or already decided. See {@link #approvals()}. */
    public Optional<ActionResult> approve(String approvalId, String approver) {
        Approvals.Decision d = approvalService.approve(approvalId, approver);
        return d instanceof Approvals.Decision.Approved a ? Optional.of(a.result()) : Optional.empty();
    }

    public boolean reject(String approvalId, String approver) {
        return approvalService.reject(approvalId, approver, null) instanceof Approvals.Decision.Rejected;
    }

    /**
     * Runs an approved action after judging it again against the cluster as it is now: approval satisfies
     * "needs approval" and the thresholds, never a deny (a cooldown, budget or exclusion that holds now). Runs on
     * the caller's thread: it waits for no sweep and no analysis.
     */
    private ActionResult runApproved(ApprovalQueue.Pending pending, String approver) {
        Incident incident = pending.incident();
        ProposedAction proposed = pending.action().action();
        audit.write(incident.id(), "approved", AuditTrail.fields().put("approval_id", pending.id())
                .put("approver", approver).put("action", proposed.actionType())
                .put("resource", proposed.target().key()).map());
        ClusterView view = lastView;
        if (apiClient != null) {
            try {
                view = snapshot();
            } catch (ApiException e) {
                return ActionResult.failedRetryable("cannot read the cluster to check the approved action again: HTTP " + e.getCode());
            }
        }
        Diagnosis single = new Diagnosis("approved", "", "", proposed.confidence(), "engine", List.of(proposed), Map.of());
        PlannedAction now = decisionFlowUnadjusted.plan(incident, single, safetyContext(incident, view)).get(0);
        if (now.verdict().isDeny()) {
            ActionResult refused = ActionResult.failed("approved, but no longer allowed: " + String.join("; ", now.verdict().reasons()));
            audit.write(incident.id(), "outcome", AuditTrail.fields().put("action", proposed.actionType())
                    .put("resource", proposed.target().key()).put("confidence", proposed.confidence()).put("verdict", "deny")
                    .put("reasons", now.verdict().reasons()).put("dry_run", config.mode() == Mode.DRY_RUN)
                    .put("result", refused.kind()).put("message", refused.message()).map());
            return refused;
        }
        PlannedAction approved = new PlannedAction(proposed, now.verdict(), Decision.EXECUTE,
                append(now.verdict().reasons(), "approved by " + approver));
        IncidentReport report = open.get(incident.id());
        String category = report == null ? "approved" : report.diagnosis().category();
        return execute(incident, category, approved, view, "approved by " + approver);
    }

    private void recordRejected(ApprovalQueue.Pending pending, String approverAndReason) {
        audit.write(pending.incident().id(), "rejected", AuditTrail.fields()
                .put("approval_id", pending.id()).put("approver", approverAndReason)
                .put("action", pending.action().action().actionType())
                .put("resource", pending.action().action().target().key()).map());
    }

    // ---------------------------------------------------------------- helpers

    private ClusterView snapshot() throws ApiException {
        if (apiClient == null) throw new IllegalStateException("no ApiClient: give the builder one");
        return SnapshotClusterView.load(apiClient, config.namespaces());
    }

    private EngineContexts.Detection detectionContext(ClusterView view) {
        return new EngineContexts.Detection(view, rawConfig, clock);
    }

    private EngineContexts.Safety safetyContext(Incident incident, ClusterView view) {
        return new EngineContexts.Safety(incident, descriptorsById(), config.mode() == Mode.DRY_RUN, view, rawConfig,
                clock, ledger);
    }

    /** A failing detector is audited once a minute at most, per detector; the others go on. */
    private void detectorFailed(Detector d, io.kubernetes.client.common.KubernetesObject o, RuntimeException e) {
        Instant now = clock.instant();
        Instant last = detectorErrors.get(d.id());
        if (last != null && last.plus(Duration.ofMinutes(1)).isAfter(now)) return;
        detectorErrors.put(d.id(), now);
        ResourceRef ref = io.kubeincident.core.monitor.Refs.of(o);
        audit.write("-", "detector-error", AuditTrail.fields().put("detector", d.id()).put("resource", ref.key())
                .put("message", Redactor.redact(e.toString())).map());
    }

    /** One line per action that is registered but switched off by configuration, saying how to switch it on. */
    private void announceSwitchedOff() {
        for (SafetyPolicy p : policies) {
            if (!(p instanceof ActionEnabledPolicy enabled)) continue;
            for (RemediationAction a : actions.values()) {
                if (!enabled.enabled(a.id())) {
                    LOG.info("action {} ({}) is off: set remediation.{}=true to enable it", a.id(),
                            a.getClass().getName(), enabled.keyOf(a.id()));
                }
            }
        }
    }

    private Map<String, ActionDescriptor> descriptorsById() {
        Map<String, ActionDescriptor> m = new LinkedHashMap<>();
        actions.values().forEach(a -> m.put(a.id(), a.descriptor()));
        return m;
    }

    static String verdictName(PlannedAction pa) {
        if (pa.verdict() instanceof io.kubeincident.api.Verdict.Deny) return "deny";
        if (pa.verdict() instanceof io.kubeincident.api.Verdict.RequireApproval) return "require-approval";
        return "allow";
    }

    private static List<String> append(List<String> list, String item) {
        List<String> out = new ArrayList<>(list);
        out.add(item);
        return out;
    }

    private static void closeQuietly(Object o) {
        if (!(o instanceof AutoCloseable c)) return;
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing {}: {}", o.getClass().getSimpleName(), e.toString());
        }
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("listener failed: {}", e.toString());
        }
    }

    OutcomeHistory outcomes() {
        return outcomes;
    }
}

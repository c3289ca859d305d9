package io.kubeincident.core;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Decision;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.OutcomeRecord;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.core.approval.ApprovalQueue;
import io.kubeincident.core.approval.ApprovalService;
import io.kubeincident.core.approval.Approvals;
import io.kubeincident.core.learn.OutcomeLearning;
import io.kubeincident.core.notify.WebhookNotifier;
import io.kubeincident.core.safety.ActionCatalogAware;
import io.kubeincident.core.safety.RetryBudgetPolicy;
import io.kubeincident.core.safety.SafetyConfig;
import io.kubeincident.core.verify.FollowUp;
import io.kubeincident.core.verify.HealthProbe;
import io.kubeincident.core.verify.HealthSnapshot;
import io.kubeincident.core.verify.RemediationTracker;
import io.kubeincident.core.verify.Verification;
import io.kubeincident.core.verify.VerificationConfig;
import io.kubeincident.spi.Reversible;
import io.kubeincident.core.audit.AuditTrail;
import io.kubeincident.core.config.EngineConfig;
import io.kubeincident.core.config.Mode;
import io.kubeincident.core.correlate.Correlator;
import io.kubeincident.core.evidence.EvidenceGatherer;
import io.kubeincident.core.evidence.Redactor;
import io.kubeincident.core.exec.ActionExecutor;
import io.kubeincident.core.exec.EngineContexts;
import io.kubeincident.core.exec.KubeEvents;
import io.kubeincident.core.monitor.ClusterMonitor;
import io.kubeincident.core.monitor.InformerClusterView;
import io.kubeincident.core.monitor.Kinds;
import io.kubeincident.core.monitor.MonitorConfig;
import io.kubeincident.core.monitor.ObjectIndex;
import io.kubeincident.core.monitor.SnapshotClusterView;
import io.kubeincident.core.plan.DecisionFlow;
import io.kubeincident.core.safety.ActionLedger;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.EvidenceContributor;
import io.kubeincident.spi.FindingSink;
import io.kubeincident.spi.FindingSource;
import io.kubeincident.spi.IncidentListener;
import io.kubeincident.spi.OutcomeHistory;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.SafetyPolicy;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The incident engine: detect → correlate → gather evidence → analyze → plan → safety → execute → audit.
 * Build one with {@link #builder()}.
 *
 * <ul>
 *   <li>{@link #scan()}: one-shot; plans and decides but never executes.</li>
 *   <li>{@link #runOnce()}: one sweep that also executes what the decision flow allows, once per incident.</li>
 *   <li>{@link #start()} / {@link #close()}: continuous mode.</li>
 * </ul>
 * Thread-safe.
 */
public final class IncidentEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentEngine.class);

    private final EngineConfig config;
    private final ConfigView rawConfig;
    private final ApiClient apiClient;
    private final Clock clock;
    private final List<Detector> detectors;
    private final List<Analyzer> analyzers;
    private final Map<String, RemediationAction> actions;
    private final List<SafetyPolicy> policies;
    private final List<EvidenceContributor> contributors;
    private final List<IncidentListener> listeners;
    private final OutcomeHistory outcomes;
    private final AuditTrail audit;
    private final ActionLedger ledger;
    private final ApprovalQueue approvals;
    private final ApprovalService approvalService;
    private final SafetyConfig safetyConfig;
    private final RemediationTracker tracker;
    private final OutcomeLearning learning;
    private final DecisionFlow decisionFlow;
    private final DecisionFlow decisionFlowUnadjusted;
    private final ActionExecutor executor;
    private final Correlator correlator = new Correlator();
    private final EvidenceGatherer evidenceGatherer;
    private final KubeEvents kubeEvents;
    private final ExecutorService analysisPool;
    private final Map<String, IncidentReport> open = new ConcurrentHashMap<>();
    /** Open incidents to plan again on the next sweep (a step was skipped or failed in passing), with how often so far. */
    private final Map<String, Integer> replan = new ConcurrentHashMap<>();
    private final java.util.Set<String> replanNextSweep = ConcurrentHashMap.newKeySet();
    private static final int MAX_REPLANS = 3;
    private volatile ScheduledExecutorService scheduler;
    private volatile ClusterMonitor monitor;
    private final io.kubernetes.client.informer.SharedInformerFactory informerFactory;
    private volatile ClusterView lastView = new ObjectIndex(List.of());
    private final List<FindingSource> findingSources;
    /** Findings pushed by {@link FindingSource}s (alerts, metrics rules), by their source key. */
    private final Map<String, Finding> externalFindings = new ConcurrentHashMap<>();

    IncidentEngine(IncidentEngineBuilder.Assembly a) {
        this.config = a.config();
        this.rawConfig = a.rawConfig();
        this.apiClient = a.apiClient();
        this.clock = a.clock();
        this.detectors = a.detectors();
        this.analyzers = a.analyzers().stream().sorted(Comparator.comparingInt(Analyzer::priority).reversed()).toList();
        Map<String, RemediationAction> byId = new LinkedHashMap<>();
        a.actions().forEach(act -> byId.put(act.id(), act));
        this.actions = java.util.Collections.unmodifiableMap(byId);
        this.policies = a.policies();
        this.contributors = a.contributors();
        this.findingSources = a.findingSources();
        this.informerFactory = a.informerFactory();
        this.listeners = a.listeners();
        this.outcomes = a.outcomes();
        this.audit = a.audit();
        this.safetyConfig = SafetyConfig.from(rawConfig);
        this.ledger = ActionLedger.of(safetyConfig);
        this.approvals = new ApprovalQueue(clock, rawConfig.getDuration("approval.timeout", Duration.ofHours(1)));
        this.approvalService = new ApprovalService(approvals, this::runApproved, this::recordRejected);
        this.tracker = new RemediationTracker(VerificationConfig.from(rawConfig));
        this.learning = new OutcomeLearning(outcomes);
        for (SafetyPolicy p : policies) {
            if (p instanceof ActionCatalogAware aware) aware.catalog(actions.values());
        }
        this.decisionFlow = DecisionFlow.withAdjuster(config, actions, policies, this::adjustConfidence);
        this.decisionFlowUnadjusted = new DecisionFlow(config, actions, policies, null);
        this.executor = new ActionExecutor(actions, ledger, audit, clock);
        this.evidenceGatherer = new EvidenceGatherer(apiClient, clock,
                io.kubeincident.core.evidence.EvidenceConfig.from(rawConfig));
        this.kubeEvents = new KubeEvents(apiClient, clock);
        AtomicInteger n = new AtomicInteger();
        this.analysisPool = Executors.newFixedThreadPool(config.analysisConcurrency(), r -> {
            Thread t = new Thread(r, "kube-incident-analysis-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        a.problems().forEach(p -> audit.write("-", "provider-error", AuditTrail.fields().put("message", p).map()));
        audit.write("-", "engine-started", AuditTrail.fields()
                .put("mode", config.mode().id())
                .put("detectors", detectors.stream().map(Detector::id).toList())
                .put("analyzers", this.analyzers.stream().map(Analyzer::id).toList())
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

    public List<Analyzer> analyzers() {
        return analyzers;
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

    /** Incidents currently open in continuous mode, by fingerprint. */
    public List<IncidentReport> openIncidents() {
        return List.copyOf(open.values());
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
     * Detects, correlates, analyzes and plans over a fresh snapshot of the cluster; executes nothing.
     *
     * @throws ApiException when the cluster cannot be listed (other than a 403 on one kind)
     */
    public List<IncidentReport> scan() throws ApiException {
        ClusterView view = snapshot();
        List<IncidentReport> reports = new ArrayList<>();
        for (Incident incident : detect(view)) {
            opened(incident);
            reports.add(analyzeAndPlan(incident, view));
        }
        return reports;
    }

    /**
     * One sweep that acts: new incidents are analyzed, planned and their allowed actions executed once;
     * incidents that are still there are not acted on again; incidents whose findings cleared are
     * resolved.
     */
    public List<IncidentReport> runOnce() throws ApiException {
        return runOnce(snapshot());
    }

    private synchronized List<IncidentReport> runOnce(ClusterView view) {
        List<Incident> incidents = detect(view);
        Map<String, Incident> seen = new LinkedHashMap<>();
        for (Incident incident : incidents) seen.putIfAbsent(incident.fingerprint(), incident);
        List<IncidentReport> handled = new ArrayList<>();
        // Verification first: one look per sweep at every incident an action was applied to.
        for (RemediationTracker.Concluded c : tracker.observe(view, seen.keySet(), clock.instant())) {
            followUp(c, seen.get(c.tracked().incident().fingerprint()), view).ifPresent(handled::add);
        }
        for (ApprovalQueue.Pending expired : approvals.expire()) {
            audit.write(expired.incident().id(), "approval-expired", AuditTrail.fields().put("approval_id", expired.id())
                    .put("action", expired.action().action().actionType())
                    .put("resource", expired.action().action().target().key()).map());
            if (open.containsKey(expired.incident().fingerprint())) {
                escalate(expired.incident(), "approval " + expired.id() + " for " + expired.action().action().actionType()
                        + " expired without a decision");
            }
        }
        for (Incident incident : seen.values()) {
            if (open.containsKey(incident.fingerprint()) && !replanDue(incident.fingerprint())) {
                refreshOpenFindings(incident);
                continue;
            }
            if (!open.containsKey(incident.fingerprint())) opened(incident);
            IncidentReport report = analyzeAndPlan(incident, view);
            open.put(incident.fingerprint(), report);
            act(report, view);
            handled.add(report);
        }
        for (IncidentReport r : List.copyOf(open.values())) {
            String fp = r.incident().fingerprint();
            if (!seen.containsKey(fp) && !tracker.tracking(fp)) {
                open.remove(fp);
                replan.remove(fp);
                replanNextSweep.remove(fp);
                approvals.withdraw(fp);
                Incident resolved = r.incident().withState(IncidentState.RESOLVED, clock.instant());
                audit.write(resolved.id(), "resolved", AuditTrail.fields().put("resource", resolved.rootResource().key())
                        .put("type", resolved.type()).map());
                listeners.forEach(l -> safely(() -> l.onIncidentResolved(resolved)));
            }
        }
        return handled;
    }

    /**
     * Carries out what verification concluded (the rules): resolved → closed; worse → undone when the
     * action is reversible, then escalated; not improved → planned again on the current state if the retry
     * budget allows (the policies decide the next step), else escalated. The outcome is learnt either way.
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
                open.remove(incident.fingerprint());
                approvals.withdraw(incident.fingerprint());
                Incident resolved = incident.withState(IncidentState.RESOLVED, clock.instant());
                audit.write(resolved.id(), "resolved", AuditTrail.fields().put("resource", resolved.rootResource().key())
                        .put("type", resolved.type()).put("message", o.detail()).map());
                listeners.forEach(l -> safely(() -> l.onIncidentResolved(resolved)));
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
        Incident again = new Incident(incident.id(), current.fingerprint(), current.type(), current.severity(),
                current.rootResource(), current.resources(), current.findings(), IncidentState.REMEDIATING,
                incident.openedAt(), clock.instant());
        IncidentReport report = analyzeAndPlan(again, view);
        open.put(again.fingerprint(), report);
        if (!act(report, view)) {
            escalate(again, o.detail() + "; no further safe action in the new plan");
        }
        return Optional.of(report);
    }

    /** Hands the incident to a human: audited, listeners told, not acted on again while it lasts. */
    private void escalate(Incident incident, String reason) {
        IncidentReport current = open.get(incident.fingerprint());
        if (current != null && current.incident().state() == IncidentState.ESCALATED) return;  // once is enough
        tracker.forget(incident.fingerprint());
        approvals.withdraw(incident.fingerprint());
        Incident escalated = incident.withState(IncidentState.ESCALATED, clock.instant());
        IncidentReport r = open.get(incident.fingerprint());
        if (r != null) open.put(incident.fingerprint(), new IncidentReport(escalated, r.evidence(), r.diagnosis(), r.plan()));
        audit.write(incident.id(), "escalated", AuditTrail.fields().put("resource", incident.rootResource().key())
                .put("type", incident.type()).put("reasons", List.of(reason)).map());
        listeners.forEach(l -> safely(() -> l.onIncidentEscalated(escalated, reason)));
    }

    /**
     * Diagnosis attribute by which an analyzer says it already weighed the outcome history in its confidences,
     * so the planner does not count the same outcomes twice.
     */
    public static final String OUTCOME_HISTORY_APPLIED = "outcome_history";

    /** The outcome history's word on a planned action. */
    private ProposedAction adjustConfidence(Incident incident, ProposedAction proposed) {
        try {
            return learning.adjust(incident, proposed);
        } catch (RuntimeException e) {
            LOG.warn("confidence adjustment failed, keeping the analyzer's: {}", e.toString());
            return proposed;
        }
    }

    // ---------------------------------------------------------------- continuous

    /**
     * Starts continuous mode: shared informers watch the cluster ({@link ClusterMonitor}); a change to any
     * watched object triggers a sweep over the informer caches shortly after (changes within
     * {@link #EVENT_DEBOUNCE} are folded into one sweep), and a full sweep runs every
     * {@code monitoring.scan_interval} as a safety net for time-based conditions. Nothing is polled from the
     * API server. Idempotent.
     */
    public synchronized void start() {
        if (scheduler != null) return;
        if (apiClient == null) throw new IllegalStateException("no ApiClient: give the builder one");
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kube-incident-sweep");
            t.setDaemon(true);
            return t;
        });
        monitor = ClusterMonitor.builder().apiClient(apiClient).informerFactory(informerFactory)
                .config(MonitorConfig.from(rawConfig)).build();
        monitor.start(new io.kubeincident.core.monitor.ClusterListener() {
            @Override
            public void onChange(KubernetesObject object) {
                sweepSoon();
            }

            @Override
            public void onDelete(KubernetesObject object) {
                sweepSoon();
            }
        });
        long period = config.scanInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::watchedSweep, 0, period, TimeUnit.MILLISECONDS);
        for (FindingSource source : findingSources) {
            try {
                source.start(findingSink);
            } catch (RuntimeException e) {
                audit.write("-", "provider-error", AuditTrail.fields().put("finding_source", source.id())
                        .put("message", Redactor.redact(e.toString())).map());
            }
        }
    }

    /** True once continuous mode's caches have synced (readiness), or in one-shot use. */
    public boolean isReady() {
        ClusterMonitor m = monitor;
        return m == null || m.isReady();
    }

    static final Duration EVENT_DEBOUNCE = Duration.ofMillis(200);
    private final java.util.concurrent.atomic.AtomicBoolean sweepPending = new java.util.concurrent.atomic.AtomicBoolean();

    private void sweepSoon() {
        ScheduledExecutorService s = scheduler;
        if (s == null || s.isShutdown() || !sweepPending.compareAndSet(false, true)) return;
        try {
            s.schedule(() -> {
                sweepPending.set(false);
                watchedSweep();
            }, EVENT_DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            sweepPending.set(false);
        }
    }

    private void watchedSweep() {
        ClusterMonitor m = monitor;
        if (m == null || !m.isReady()) return;  // caches not synced yet: a partial view would resolve incidents wrongly
        try {
            lastView = m.view();
            runOnce(m.view());
        } catch (RuntimeException e) {
            LOG.error("sweep failed", e);
        }
    }

    @Override
    public void close() {
        ScheduledExecutorService s = scheduler;
        if (s != null) s.shutdownNow();
        ClusterMonitor m = monitor;
        if (m != null) m.close();
        findingSources.forEach(IncidentEngine::closeQuietly);
        analysisPool.shutdownNow();
        for (IncidentListener l : listeners) {
            if (l instanceof WebhookNotifier n) n.close(Duration.ofSeconds(2));  // ours: flush what is queued
        }
        closeQuietly(outcomes);
        audit.close();
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
     * "needs approval" and the thresholds, never a deny (a cooldown, budget or exclusion that holds now).
     */
    private synchronized ActionResult runApproved(ApprovalQueue.Pending pending, String approver) {
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
        var safety = new EngineContexts.Safety(incident, descriptorsById(), config.mode() == Mode.DRY_RUN, view, rawConfig,
                clock, ledger);
        Diagnosis single = new Diagnosis("approved", "", "", proposed.confidence(), "engine", List.of(proposed), Map.of());
        PlannedAction now = decisionFlowUnadjusted.plan(incident, single, safety).get(0);
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
        IncidentReport report = open.get(incident.fingerprint());
        String category = report == null ? "approved" : report.diagnosis().category();
        return execute(incident, category, approved, view, "approved by " + approver);
    }

    private void recordRejected(ApprovalQueue.Pending pending, String approverAndReason) {
        audit.write(pending.incident().id(), "rejected", AuditTrail.fields()
                .put("approval_id", pending.id()).put("approver", approverAndReason)
                .put("action", pending.action().action().actionType())
                .put("resource", pending.action().action().target().key()).map());
    }

    // ---------------------------------------------------------------- pipeline

    private ClusterView snapshot() throws ApiException {
        if (apiClient == null) throw new IllegalStateException("no ApiClient: give the builder one");
        ClusterView view = SnapshotClusterView.load(apiClient, config.namespaces());
        lastView = view;
        return view;
    }

    List<Incident> detect(ClusterView view) {
        DetectionContext ctx = new EngineContexts.Detection(view, rawConfig, clock);
        List<Finding> findings = new ArrayList<>();
        List<KubernetesObject> objects = view instanceof ObjectIndex idx ? idx.all()
                : view instanceof InformerClusterView live ? live.all() : List.of();
        Map<String, Integer> failures = new LinkedHashMap<>();
        for (KubernetesObject o : objects) {
            String kind = Kinds.kindOf(o);
            for (Detector d : detectors) {
                if (!d.kinds().contains(kind)) continue;
                try {
                    List<Finding> found = d.detect(o, ctx);
                    if (found != null) findings.addAll(found);
                } catch (RuntimeException e) {
                    if (failures.merge(d.id(), 1, Integer::sum) == 1) {
                        audit.write("-", "detector-error", AuditTrail.fields().put("detector", d.id())
                                .put("resource", kind + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName())
                                .put("message", Redactor.redact(e.toString())).map());
                    }
                }
            }
        }
        return correlator.correlate(withExternalFindings(findings), view, clock.instant());
    }

    // ---------------------------------------------------------------- external findings (FindingSource SPI)

    /**
     * The sweep's findings plus those {@link FindingSource}s reported and have not cleared, so that an alert about
     * a pod joins the incident the watch opened for it (same root) and a cleared one leaves it.
     */
    private List<Finding> withExternalFindings(List<Finding> watched) {
        if (externalFindings.isEmpty()) return watched;
        // The correlator keys objects by their reference, uid included: an alert knows no uid, so it takes the one
        // the watch saw for the same object and both findings stay findings of one object.
        Map<String, io.kubeincident.api.ResourceRef> seen = new java.util.HashMap<>();
        for (Finding f : watched) seen.putIfAbsent(f.resource().key(), f.resource());
        List<Finding> all = new ArrayList<>(watched);
        for (Finding f : externalFindings.values()) {
            io.kubeincident.api.ResourceRef same = seen.get(f.resource().key());
            all.add(same == null || same.equals(f.resource()) ? f : new Finding(f.detectorId(), f.incidentType(),
                    f.severity(), same, f.message(), f.facts(), f.observedAt(), f.source()));
        }
        return all;
    }

    /** What sources report to: kept by source key (re-deliveries replace), and a sweep is scheduled soon. */
    private final FindingSink findingSink = new FindingSink() {
        @Override
        public void report(String sourceKey, Finding finding) {
            java.util.Objects.requireNonNull(sourceKey, "sourceKey");
            java.util.Objects.requireNonNull(finding, "finding");
            if (!finding.equals(externalFindings.put(sourceKey, finding))) sweepSoon();
        }

        @Override
        public void clear(String sourceKey) {
            java.util.Objects.requireNonNull(sourceKey, "sourceKey");
            if (externalFindings.remove(sourceKey) != null) sweepSoon();
        }
    };

    /** The sink the engine's finding sources report to (hosts and tests may report to it directly). */
    public FindingSink findingSink() {
        return findingSink;
    }

    /**
     * An incident already open whose findings changed (an alert joined or left it): its report shows the
     * current findings, resources and severity under the same id, without planning again.
     */
    private void refreshOpenFindings(Incident current) {
        open.computeIfPresent(current.fingerprint(), (fp, r) -> {
            Incident was = r.incident();
            if (was.findings().equals(current.findings()) && was.resources().equals(current.resources())) return r;
            Incident now = new Incident(was.id(), was.fingerprint(), was.type(), current.severity(), was.rootResource(),
                    current.resources(), current.findings(), was.state(), was.openedAt(), clock.instant());
            return new IncidentReport(now, r.evidence(), r.diagnosis(), r.plan());
        });
    }

    /** Audits and announces a newly seen incident (once per incident, not once per sweep). */
    private void opened(Incident i) {
        audit.write(i.id(), "detected", AuditTrail.fields().put("type", i.type())
                .put("severity", i.severity().name()).put("resource", i.rootResource().key())
                .put("fingerprint", i.fingerprint()).put("findings", i.findings().size())
                .put("message", i.findings().isEmpty() ? null : i.findings().get(0).message()).map());
        listeners.forEach(l -> safely(() -> l.onIncidentOpened(i)));
    }

    IncidentReport analyzeAndPlan(Incident incident, ClusterView view) {
        Evidence evidence = withKnowledge(incident, contribute(incident, evidenceGatherer.gather(incident, view), view));
        Diagnosis diagnosis = analyze(incident, evidence);
        boolean dryRun = config.mode() == Mode.DRY_RUN;
        var safety = new EngineContexts.Safety(incident, descriptorsById(), dryRun, view, rawConfig, clock, ledger);
        boolean weighed = "applied".equals(diagnosis.attributes().get(OUTCOME_HISTORY_APPLIED));
        List<PlannedAction> plan = (weighed ? decisionFlowUnadjusted : decisionFlow).plan(incident, diagnosis, safety);
        for (PlannedAction pa : plan) {
            audit.write(incident.id(), "decision", AuditTrail.fields()
                    .put("action", pa.action().actionType()).put("resource", pa.action().target().key())
                    .put("confidence", pa.action().confidence()).put("verdict", verdictName(pa))
                    .put("decision", pa.decision().id()).put("reasons", pa.reasons())
                    .put("dry_run", dryRun).put("reasoning", pa.action().rationale()).map());
        }
        IncidentReport report = new IncidentReport(incident, evidence, diagnosis, plan);
        listeners.forEach(l -> safely(() -> l.onIncidentAnalyzed(report)));
        return report;
    }

    /** What the outcome history says about this workload, as knowledge lines for analyzers. */
    private Evidence withKnowledge(Incident incident, Evidence evidence) {
        List<String> lines;
        try {
            lines = learning.knowledge(incident, 5);
        } catch (RuntimeException e) {
            return evidence;
        }
        if (lines.isEmpty()) return evidence;
        List<String> knowledge = new ArrayList<>(evidence.knowledge());
        lines.stream().filter(l -> !knowledge.contains(l)).forEach(knowledge::add);
        return new Evidence(evidence.events(), evidence.logs(), evidence.ownerChain(), evidence.rolloutHistory(),
                evidence.facts(), knowledge);
    }

    /** Facts from evidence contributors (Argo CD, ...), redacted; the engine's own facts win on a collision. */
    private Evidence contribute(Incident incident, Evidence evidence, ClusterView view) {
        if (contributors.isEmpty()) return evidence;
        Map<String, String> facts = new LinkedHashMap<>();
        for (EvidenceContributor c : contributors) {
            try {
                Map<String, String> more = c.facts(incident, view);
                if (more != null) more.forEach((k, v) -> {
                    if (k != null && v != null) facts.putIfAbsent(k, Redactor.redact(v));
                });
            } catch (RuntimeException e) {
                audit.write(incident.id(), "provider-error", AuditTrail.fields().put("contributor", c.id())
                        .put("message", Redactor.redact(e.toString())).map());
            }
        }
        facts.putAll(evidence.facts());
        return new Evidence(evidence.events(), evidence.logs(), evidence.ownerChain(), evidence.rolloutHistory(), facts,
                evidence.knowledge());
    }

    private Diagnosis analyze(Incident incident, Evidence evidence) {
        AnalysisRequest request = new AnalysisRequest(incident, evidence, actionDescriptors());
        for (Analyzer analyzer : analyzers) {
            AnalysisOutcome outcome = runAnalyzer(analyzer, request);
            if (outcome instanceof AnalysisOutcome.Diagnosed d) {
                Diagnosis diag = d.diagnosis();
                audit.write(incident.id(), "analyzed", AuditTrail.fields().put("analyzer", diag.analyzerId())
                        .put("category", diag.category()).put("root_cause", diag.rootCause())
                        .put("confidence", diag.confidence()).put("reasoning", diag.reasoning())
                        .put("proposed", diag.actions().size()).put("attributes", diag.attributes()).map());
                return diag;
            }
            String step = outcome instanceof AnalysisOutcome.Declined ? "analyzer-declined" : "analyzer-failed";
            String reason = outcome instanceof AnalysisOutcome.Declined dec ? dec.reason()
                    : ((AnalysisOutcome.Failed) outcome).reason();
            Map<String, String> details = outcome instanceof AnalysisOutcome.Failed f ? f.details() : Map.of();
            audit.write(incident.id(), step, AuditTrail.fields().put("analyzer", analyzer.id())
                    .put("message", reason).put("details", details.isEmpty() ? null : details).map());
        }
        return new Diagnosis("unknown", "no analyzer could explain this incident", "every analyzer declined or failed",
                0.0, "engine", List.of(), Map.of());
    }

    private AnalysisOutcome runAnalyzer(Analyzer analyzer, AnalysisRequest request) {
        Future<AnalysisOutcome> f = analysisPool.submit(() -> analyzer.analyze(request));
        try {
            AnalysisOutcome o = f.get(config.analysisTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return o == null ? AnalysisOutcome.failed("returned no outcome") : o;
        } catch (TimeoutException e) {
            f.cancel(true);
            return AnalysisOutcome.failed("timed out after " + config.analysisTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            return AnalysisOutcome.failed("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            return AnalysisOutcome.failed("threw " + e.getCause());
        }
    }

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
        } else if (tried.stream().anyMatch(r -> r instanceof ActionResult.Failed f && !f.retryable())) {
            // refused (a bare pod, no earlier revision) or forbidden: no automatic way forward, a human owns it
            escalate(incident, "no planned step could run: " + tried.stream().map(ActionResult::message).toList());
        } else if (!tried.isEmpty() && config.mode() != Mode.DRY_RUN) {
            // target gone or a passing failure: the next sweep looks again and, if it is still there, plans afresh
            int n = replan.merge(incident.fingerprint(), 1, Integer::sum);
            if (n > MAX_REPLANS) {
                replan.remove(incident.fingerprint());
                escalate(incident, "planned " + MAX_REPLANS + " times without a step taking effect: "
                        + tried.stream().map(ActionResult::message).toList());
            } else {
                replanNextSweep.add(incident.fingerprint());
            }
        }
        return false;
    }

    /** Whether an open incident is due to be planned again this sweep; the mark is used up. */
    private boolean replanDue(String fingerprint) {
        IncidentReport r = open.get(fingerprint);
        return replanNextSweep.remove(fingerprint) && r != null && r.incident().state() != IncidentState.ESCALATED
                && !tracker.tracking(fingerprint);
    }

    private ActionResult execute(Incident incident, String category, PlannedAction pa, ClusterView view, String reasoning) {
        boolean dryRun = config.mode() == Mode.DRY_RUN;
        var ctx = new EngineContexts.Action(apiClient, view, rawConfig, clock, incident, kubeEvents);
        HealthSnapshot baseline = HealthProbe.of(incident.rootResource(), view);
        ActionResult r = executor.execute(incident, pa, dryRun, ctx, reasoning);
        if (r instanceof ActionResult.Applied) replan.remove(incident.fingerprint());
        if (r instanceof ActionResult.Applied applied && !dryRun && tracker.config().enabled()) {
            tracker.start(incident.withState(IncidentState.REMEDIATING, clock.instant()), category, pa,
                    ActionRequest.of(incident.id(), pa.action(), false), applied,
                    actions.get(pa.action().actionType()) instanceof Reversible, baseline, clock.instant());
        }
        listeners.forEach(l -> safely(() -> l.onActionExecuted(incident, pa, r)));
        return r;
    }

    private Map<String, ActionDescriptor> descriptorsById() {
        Map<String, ActionDescriptor> m = new LinkedHashMap<>();
        actions.values().forEach(a -> m.put(a.id(), a.descriptor()));
        return m;
    }

    private static String verdictName(PlannedAction pa) {
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

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
import io.kubeincident.core.approval.ApprovalQueue;
import io.kubeincident.core.audit.AuditTrail;
import io.kubeincident.core.config.EngineConfig;
import io.kubeincident.core.config.Mode;
import io.kubeincident.core.correlate.Correlator;
import io.kubeincident.core.evidence.EvidenceGatherer;
import io.kubeincident.core.evidence.Redactor;
import io.kubeincident.core.exec.ActionExecutor;
import io.kubeincident.core.exec.EngineContexts;
import io.kubeincident.core.exec.KubeEvents;
import io.kubeincident.core.monitor.Kinds;
import io.kubeincident.core.monitor.ObjectIndex;
import io.kubeincident.core.monitor.SnapshotClusterView;
import io.kubeincident.core.plan.DecisionFlow;
import io.kubeincident.core.safety.ActionLedger;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.EvidenceContributor;
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
    private final ActionLedger ledger = new ActionLedger();
    private final ApprovalQueue approvals;
    private final DecisionFlow decisionFlow;
    private final ActionExecutor executor;
    private final Correlator correlator = new Correlator();
    private final EvidenceGatherer evidenceGatherer;
    private final KubeEvents kubeEvents;
    private final ExecutorService analysisPool;
    private final Map<String, IncidentReport> open = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService scheduler;
    private volatile ClusterView lastView = new ObjectIndex(List.of());

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
        this.listeners = a.listeners();
        this.outcomes = a.outcomes();
        this.audit = a.audit();
        this.approvals = new ApprovalQueue(clock, Duration.ofHours(1));
        this.decisionFlow = new DecisionFlow(config, actions, policies, null);
        this.executor = new ActionExecutor(actions, ledger, audit, clock);
        this.evidenceGatherer = new EvidenceGatherer(apiClient, clock);
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
            reports.add(analyzeAndPlan(incident, view));
        }
        return reports;
    }

    /**
     * One sweep that acts: new incidents are analyzed, planned and their allowed actions executed once;
     * incidents that are still there are not acted on again; incidents whose findings cleared are
     * resolved.
     */
    public synchronized List<IncidentReport> runOnce() throws ApiException {
        ClusterView view = snapshot();
        List<Incident> incidents = detect(view);
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<IncidentReport> handled = new ArrayList<>();
        for (Incident incident : incidents) {
            seen.add(incident.fingerprint());
            if (open.containsKey(incident.fingerprint())) continue;
            IncidentReport report = analyzeAndPlan(incident, view);
            open.put(incident.fingerprint(), report);
            act(report, view);
            handled.add(report);
        }
        for (IncidentReport r : List.copyOf(open.values())) {
            if (!seen.contains(r.incident().fingerprint())) {
                open.remove(r.incident().fingerprint());
                Incident resolved = r.incident().withState(IncidentState.RESOLVED, clock.instant());
                audit.write(resolved.id(), "resolved", AuditTrail.fields().put("resource", resolved.rootResource().key())
                        .put("type", resolved.type()).map());
                listeners.forEach(l -> safely(() -> l.onIncidentResolved(resolved)));
            }
        }
        return handled;
    }

    // ---------------------------------------------------------------- continuous

    /** Starts continuous mode: a sweep every {@code monitoring.scan_interval}. */
    public synchronized void start() {
        if (scheduler != null) return;
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kube-incident-sweep");
            t.setDaemon(true);
            return t;
        });
        long period = config.scanInterval().toMillis();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                runOnce();
            } catch (ApiException e) {
                LOG.warn("sweep failed: HTTP {} {}", e.getCode(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("sweep failed", e);
            }
        }, 0, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        ScheduledExecutorService s = scheduler;
        if (s != null) s.shutdownNow();
        analysisPool.shutdownNow();
        audit.close();
    }

    // ---------------------------------------------------------------- approvals

    /** Executes a held action; empty when the id is unknown or expired. */
    public Optional<ActionResult> approve(String approvalId, String approver) {
        Optional<ApprovalQueue.Pending> p = approvals.take(approvalId);
        if (p.isEmpty()) return Optional.empty();
        var pending = p.get();
        audit.write(pending.incident().id(), "approved", AuditTrail.fields().put("approval_id", approvalId)
                .put("approver", approver).put("action", pending.action().action().actionType())
                .put("resource", pending.action().action().target().key()).map());
        PlannedAction approved = new PlannedAction(pending.action().action(), pending.action().verdict(),
                Decision.EXECUTE, append(pending.action().reasons(), "approved by " + approver));
        return Optional.of(execute(pending.incident(), approved, lastView, ""));
    }

    public boolean reject(String approvalId, String approver) {
        Optional<ApprovalQueue.Pending> p = approvals.take(approvalId);
        p.ifPresent(pending -> audit.write(pending.incident().id(), "rejected", AuditTrail.fields()
                .put("approval_id", approvalId).put("approver", approver)
                .put("action", pending.action().action().actionType()).map()));
        return p.isPresent();
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
        List<KubernetesObject> objects = view instanceof ObjectIndex idx ? idx.all() : List.of();
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
        List<Incident> incidents = correlator.correlate(findings, view, clock.instant());
        for (Incident i : incidents) {
            audit.write(i.id(), "detected", AuditTrail.fields().put("type", i.type())
                    .put("severity", i.severity().name()).put("resource", i.rootResource().key())
                    .put("fingerprint", i.fingerprint()).put("findings", i.findings().size())
                    .put("message", i.findings().isEmpty() ? null : i.findings().get(0).message()).map());
            listeners.forEach(l -> safely(() -> l.onIncidentOpened(i)));
        }
        return incidents;
    }

    IncidentReport analyzeAndPlan(Incident incident, ClusterView view) {
        Evidence evidence = contribute(incident, evidenceGatherer.gather(incident, view), view);
        Diagnosis diagnosis = analyze(incident, evidence);
        boolean dryRun = config.mode() == Mode.DRY_RUN;
        var safety = new EngineContexts.Safety(incident, descriptorsById(), dryRun, view, rawConfig, clock, ledger);
        List<PlannedAction> plan = decisionFlow.plan(incident, diagnosis, safety);
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

    private void act(IncidentReport report, ClusterView view) {
        Incident incident = report.incident();
        for (PlannedAction pa : report.plan()) {
            switch (pa.decision()) {
                case EXECUTE -> {
                    ActionResult r = execute(incident, pa, view, report.diagnosis().reasoning());
                    if (r instanceof ActionResult.Applied || r instanceof ActionResult.DryRun) return;
                }
                case APPROVAL -> {
                    var held = approvals.hold(incident, pa);
                    audit.write(incident.id(), "approval-requested", AuditTrail.fields().put("approval_id", held.id())
                            .put("action", pa.action().actionType()).put("resource", pa.action().target().key())
                            .put("confidence", pa.action().confidence()).put("reasons", pa.reasons())
                            .put("expires_at", held.expiresAt().toString()).map());
                    listeners.forEach(l -> safely(() -> l.onApprovalRequested(incident, pa, held.id())));
                    return;
                }
                default -> {
                    // denied or log-only: already audited as a decision
                }
            }
        }
    }

    private ActionResult execute(Incident incident, PlannedAction pa, ClusterView view, String reasoning) {
        boolean dryRun = config.mode() == Mode.DRY_RUN;
        var ctx = new EngineContexts.Action(apiClient, view, rawConfig, clock, incident, kubeEvents);
        ActionResult r = executor.execute(incident, pa, dryRun, ctx, reasoning);
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

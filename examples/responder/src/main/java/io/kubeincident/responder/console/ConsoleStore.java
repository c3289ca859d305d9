package io.kubeincident.responder.console;

import io.kubeincident.api.ActionResult;
import io.kubeincident.api.AuditRecord;
import io.kubeincident.api.Decision;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.spi.AuditSink;
import io.kubeincident.spi.IncidentListener;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What the web console shows, built from the engine's listener callbacks and audit records only (no engine
 * internals): one timeline per incident (detected → evidence → diagnosis → plan → verdicts → approval →
 * execution → verification → outcome), the approval requests seen with their fate, and a ring of recent
 * audit records. Bounded: the oldest closed incidents and audit records are dropped first. One instance
 * outlives engine rebuilds (reloads, leadership changes), so the history stays. Thread-safe; listener
 * calls are quick (no I/O): subscribers get small change notices and read the store themselves.
 */
public final class ConsoleStore implements IncidentListener, AuditSink {
    /** Audit steps that become timeline entries (the listener carries the rest as typed values). */
    private static final Set<String> TIMELINE_STEPS = Set.of("verified", "approved", "rejected", "approval-expired",
            "undone", "undo", "analyzer-failed", "analyzer-declined");

    /** One step on an incident's timeline; {@code tone} is ok, warn, bad or info. */
    public record Entry(Instant at, String stage, String title, String text, List<String> reasons, String tone) {
        public Entry {
            text = text == null ? "" : text;
            reasons = reasons == null ? List.of() : List.copyOf(reasons);
        }
    }

    /** An approval request as the console saw it. */
    public record ApprovalSeen(String id, String incidentId, String incidentType, PlannedAction action,
                               Instant requestedAt, Instant expiresAt, String fate, String by, Instant decidedAt) {
        ApprovalSeen decided(String how, String who, Instant at) {
            return new ApprovalSeen(id, incidentId, incidentType, action, requestedAt, expiresAt, how, who, at);
        }
    }

    /** A change notice for live subscribers: {@code kind} is incident, approvals or audit. */
    public record Change(String kind, String incidentId) {
    }

    private static final class Timeline {
        Incident incident;
        IncidentReport report;
        final List<Entry> entries = new ArrayList<>();
        Instant changed;
    }

    private final Clock clock;
    private final int maxIncidents;
    private final int maxAudit;
    private final Map<String, Timeline> timelines = new LinkedHashMap<>();
    private final Map<String, ApprovalSeen> approvals = new LinkedHashMap<>();
    /** Expiry from the audit's approval-requested record, which the engine writes just before the listener call. */
    private final Map<String, Instant> expiries = new LinkedHashMap<>();
    private final ArrayDeque<AuditRecord> audit = new ArrayDeque<>();
    private final List<Consumer<Change>> subscribers = new CopyOnWriteArrayList<>();

    public ConsoleStore() {
        this(Clock.systemUTC(), 500, 2000);
    }

    public ConsoleStore(Clock clock, int maxIncidents, int maxAudit) {
        if (maxIncidents < 1 || maxAudit < 1) throw new IllegalArgumentException("capacities must be >= 1");
        this.clock = clock;
        this.maxIncidents = maxIncidents;
        this.maxAudit = maxAudit;
    }

    // ------------------------------------------------------------------ listener

    @Override
    public void onIncidentOpened(Incident incident) {
        synchronized (this) {
            Timeline t = timeline(incident);
            String first = incident.findings().isEmpty() ? "" : incident.findings().get(0).message();
            List<String> more = incident.findings().stream().skip(1).map(f -> f.message()).limit(20).toList();
            add(t, new Entry(incident.openedAt(), "detected", incident.type() + " on " + incident.rootResource().key()
                    + " (severity " + lower(incident.severity()) + ")", first, more, "warn"));
        }
        publish(new Change("incident", incident.id()));
    }

    @Override
    public void onIncidentAnalyzed(IncidentReport report) {
        Instant now = clock.instant();
        synchronized (this) {
            Timeline t = timeline(report.incident());
            t.report = report;
            Evidence e = report.evidence();
            long warnings = e.events().stream().filter(ev -> "Warning".equals(ev.type())).count();
            add(t, new Entry(now, "evidence", "evidence gathered", String.format(Locale.ROOT,
                    "%d events (%d warnings), %d log tails, owner chain of %d, %d rollout revisions, %d facts",
                    e.events().size(), warnings, e.logs().size(), e.ownerChain().size(), e.rolloutHistory().size(),
                    e.facts().size()), List.of(), "info"));
            Diagnosis d = report.diagnosis();
            add(t, new Entry(now, "diagnosis", String.format(Locale.ROOT, "%s by %s, confidence %.2f", d.category(),
                    d.analyzerId(), d.confidence()), d.rootCause(),
                    d.reasoning().isBlank() ? List.of() : List.of(d.reasoning()), "info"));
            if (report.plan().isEmpty()) {
                add(t, new Entry(now, "plan", "no automatic action", d.reasoning().isBlank()
                        ? "the analyzer proposed none" : "left to a human", List.of(), "warn"));
            } else {
                add(t, new Entry(now, "plan", report.plan().size() + " planned action(s)", String.join(", ",
                        report.plan().stream().map(p -> p.action().actionType() + " " + p.action().target().key()).toList()),
                        List.of(), "info"));
            }
            for (PlannedAction pa : report.plan()) {
                add(t, new Entry(now, "verdict", String.format(Locale.ROOT, "%s %s (confidence %.2f): %s",
                        pa.action().actionType(), pa.action().target().key(), pa.action().confidence(),
                        pa.decision().id()), pa.action().rationale(), pa.reasons(), tone(pa.decision())));
            }
        }
        publish(new Change("incident", report.incident().id()));
    }

    @Override
    public void onApprovalRequested(Incident incident, PlannedAction action, String approvalId) {
        Instant now = clock.instant();
        synchronized (this) {
            Timeline t = timeline(incident);
            if (!approvals.containsKey(approvalId)) {
                approvals.put(approvalId, new ApprovalSeen(approvalId, incident.id(), incident.type(), action, now,
                        expiries.remove(approvalId), "pending", null, null));
                add(t, new Entry(now, "approval", "waiting for approval: " + action.action().actionType() + " "
                        + action.action().target().key(), "approval id " + approvalId, action.reasons(), "warn"));
                trimApprovals();
            }
        }
        publish(new Change("approvals", incident.id()));
        publish(new Change("incident", incident.id()));
    }

    @Override
    public void onActionExecuted(Incident incident, PlannedAction action, ActionResult result) {
        synchronized (this) {
            Timeline t = timeline(incident);
            String tone = result instanceof ActionResult.Applied || result instanceof ActionResult.DryRun ? "ok"
                    : result instanceof ActionResult.Failed ? "bad" : "warn";
            add(t, new Entry(clock.instant(), "execution", action.action().actionType() + " "
                    + action.action().target().key() + ": " + result.kind(), result.message(), action.reasons(), tone));
        }
        publish(new Change("incident", incident.id()));
    }

    @Override
    public void onIncidentResolved(Incident incident) {
        synchronized (this) {
            Timeline t = timeline(incident);
            add(t, new Entry(incident.updatedAt(), "outcome", "resolved", "every finding cleared", List.of(), "ok"));
        }
        publish(new Change("incident", incident.id()));
    }

    @Override
    public void onIncidentEscalated(Incident incident, String reason) {
        synchronized (this) {
            Timeline t = timeline(incident);
            add(t, new Entry(incident.updatedAt(), "outcome", "escalated to a human", reason, List.of(), "bad"));
        }
        publish(new Change("incident", incident.id()));
    }

    // ------------------------------------------------------------------ audit

    @Override
    public void write(AuditRecord record) {
        boolean approvalsChanged = false;
        boolean incidentChanged = false;
        synchronized (this) {
            audit.addLast(record);
            while (audit.size() > maxAudit) audit.removeFirst();
            Object approvalId = record.field("approval_id");
            if (approvalId != null) {
                ApprovalSeen seen = approvals.get(String.valueOf(approvalId));
                if (seen != null) {
                    approvalsChanged = true;
                    switch (record.step()) {
                        case "approval-requested" -> {
                            Object exp = record.field("expires_at");
                            if (exp != null && seen.expiresAt() == null) {
                                approvals.put(seen.id(), new ApprovalSeen(seen.id(), seen.incidentId(), seen.incidentType(),
                                        seen.action(), seen.requestedAt(), parse(exp), seen.fate(), null, null));
                            }
                        }
                        case "approved" -> approvals.put(seen.id(), seen.decided("approved", str(record.field("approver")),
                                record.timestamp()));
                        case "rejected" -> approvals.put(seen.id(), seen.decided("rejected", str(record.field("approver")),
                                record.timestamp()));
                        case "approval-expired" -> approvals.put(seen.id(), seen.decided("expired", null, record.timestamp()));
                        default -> approvalsChanged = false;
                    }
                } else if (record.step().equals("approval-requested")) {
                    Instant exp = parse(record.field("expires_at"));
                    if (exp != null) expiries.put(String.valueOf(approvalId), exp);
                    while (expiries.size() > 100) expiries.remove(expiries.keySet().iterator().next());
                    approvalsChanged = true;  // the listener call follows with the typed action
                }
            }
            Timeline t = timelines.get(record.incidentId());
            if (t != null && TIMELINE_STEPS.contains(record.step())) {
                add(t, auditEntry(record));
                incidentChanged = true;
            }
        }
        if (approvalsChanged) publish(new Change("approvals", record.incidentId()));
        if (incidentChanged) publish(new Change("incident", record.incidentId()));
        publish(new Change("audit", record.incidentId()));
    }

    private static Entry auditEntry(AuditRecord r) {
        String action = str(r.field("action"));
        String resource = str(r.field("resource"));
        String what = (action == null ? "" : action) + (resource == null ? "" : " " + resource);
        String message = str(r.field("message"));
        List<String> reasons = new ArrayList<>();
        if (r.field("reasons") instanceof Collection<?> c) c.forEach(x -> reasons.add(String.valueOf(x)));
        return switch (r.step()) {
            case "verified" -> {
                String result = str(r.field("result"));
                yield new Entry(r.timestamp(), "verification", what.trim() + ": " + result, message, reasons,
                        "resolved".equals(result) ? "ok" : "worse".equals(result) ? "bad" : "warn");
            }
            case "approved" -> new Entry(r.timestamp(), "approval", "approved by " + str(r.field("approver")),
                    what.trim(), reasons, "ok");
            case "rejected" -> new Entry(r.timestamp(), "approval", "rejected by " + str(r.field("approver")),
                    what.trim(), reasons, "warn");
            case "approval-expired" -> new Entry(r.timestamp(), "approval", "approval expired", what.trim(), reasons, "bad");
            case "undone", "undo" -> new Entry(r.timestamp(), "verification", "undo " + what.trim(),
                    message == null ? str(r.field("result")) : message, reasons, "bad");
            default -> new Entry(r.timestamp(), "diagnosis", r.step() + " " + str(r.field("analyzer")),
                    message == null ? str(r.field("reason")) : message, reasons, "warn");
        };
    }

    // ------------------------------------------------------------------ reads

    /** Every incident known, newest change first, with its latest values. */
    public synchronized List<Map<String, Object>> incidents() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Timeline t : timelines.values()) out.add(ConsoleJson.summary(t.incident, t.report, phase(t), t.changed));
        out.sort((a, b) -> String.valueOf(b.get("changedAt")).compareTo(String.valueOf(a.get("changedAt"))));
        return out;
    }

    /** One incident's summary, or null when unknown. */
    public synchronized Map<String, Object> summary(String incidentId) {
        Timeline t = timelines.get(incidentId);
        return t == null ? null : ConsoleJson.summary(t.incident, t.report, phase(t), t.changed);
    }

    /** One incident with its timeline and evidence, or null when unknown. */
    public synchronized Map<String, Object> detail(String incidentId) {
        Timeline t = timelines.get(incidentId);
        if (t == null) return null;
        return ConsoleJson.detail(t.incident, t.report, phase(t), t.changed, List.copyOf(t.entries));
    }

    /** The approval requests seen, newest first. */
    public synchronized List<ApprovalSeen> approvalsSeen() {
        List<ApprovalSeen> out = new ArrayList<>(approvals.values());
        java.util.Collections.reverse(out);
        return out;
    }

    /** Recent audit records, newest first, whose JSON text contains {@code query} (case-insensitive; blank: all). */
    public synchronized List<AuditRecord> audit(String query, int limit) {
        String q = query == null ? "" : query.trim().toLowerCase(Locale.ROOT);
        List<AuditRecord> out = new ArrayList<>();
        Iterator<AuditRecord> it = audit.descendingIterator();
        while (it.hasNext() && out.size() < limit) {
            AuditRecord r = it.next();
            if (q.isEmpty() || ConsoleJson.searchable(r).contains(q)) out.add(r);
        }
        return out;
    }

    public Runnable subscribe(Consumer<Change> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    // ------------------------------------------------------------------ internals

    /**
     * The phase the console shows: resolved or escalated as the listener reported them; remediating once an
     * action ran or waits for approval (the engine's state for that, which the listener does not carry); else open.
     */
    private static String phase(Timeline t) {
        if (isClosed(t) || t.incident.state() == io.kubeincident.api.IncidentState.REMEDIATING) {
            return lower(t.incident.state());
        }
        boolean acting = t.entries.stream().anyMatch(e -> e.stage().equals("execution") || e.stage().equals("approval"));
        return acting ? "remediating" : "open";
    }

    private Timeline timeline(Incident incident) {
        Timeline t = timelines.get(incident.id());
        if (t == null) {
            t = new Timeline();
            t.incident = incident;
            trimIncidents();
            timelines.put(incident.id(), t);
        }
        // The listener's incident is the latest word on state (resolved and escalated arrive with theirs).
        t.incident = incident;
        return t;
    }

    private void add(Timeline t, Entry e) {
        if (t.entries.size() < 500) t.entries.add(e);
        t.changed = clock.instant();
    }

    private void trimIncidents() {
        Iterator<Map.Entry<String, Timeline>> it = timelines.entrySet().iterator();
        // Closed incidents go first; open ones only when there are twice too many (a storm of distinct incidents).
        while (timelines.size() >= maxIncidents && it.hasNext()) {
            Timeline t = it.next().getValue();
            if (isClosed(t) || timelines.size() >= maxIncidents * 2) it.remove();
        }
    }

    private static boolean isClosed(Timeline t) {
        var s = t.incident.state();
        return s == io.kubeincident.api.IncidentState.RESOLVED || s == io.kubeincident.api.IncidentState.ESCALATED;
    }

    private void trimApprovals() {
        Iterator<String> it = approvals.keySet().iterator();
        while (approvals.size() > maxIncidents && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    private void publish(Change change) {
        for (Consumer<Change> s : subscribers) {
            try {
                s.accept(change);
            } catch (RuntimeException ignored) {
                // a broken subscriber must not break the engine's thread
            }
        }
    }

    private static String tone(Decision d) {
        return switch (d) {
            case EXECUTE -> "ok";
            case APPROVAL -> "warn";
            case LOG_ONLY -> "info";
            case DENIED -> "bad";
        };
    }

    private static Instant parse(Object o) {
        try {
            return Instant.parse(String.valueOf(o));
        } catch (RuntimeException e) {
            return null;
        }
    }

    static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}

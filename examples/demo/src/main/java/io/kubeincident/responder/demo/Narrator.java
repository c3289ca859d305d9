package io.kubeincident.responder.demo;

import io.kubeincident.api.ActionResult;
import io.kubeincident.api.AuditRecord;
import io.kubeincident.api.Decision;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.spi.AuditSink;
import io.kubeincident.spi.IncidentListener;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Tells the demo's story as it happens: one block per incident (detected → diagnosis with confidence →
 * verdict with reasons → action → verification), and the summary table at the end. Listener and audit
 * sink at once: typed values come through the listener, verification steps through the audit.
 */
public final class Narrator implements IncidentListener, AuditSink {
    /** Audit steps that tell how an executed action turned out (the listener tells resolution and escalation). */
    private static final Set<String> VERIFICATION_STEPS = Set.of("verified", "undone", "undo");

    /** What happened to one incident, for the summary. */
    public static final class Story {
        public final IncidentReport report;
        public final List<String> actions = new ArrayList<>();
        public String approvalId;
        public String verification;
        public boolean resolved;
        public boolean escalated;
        public boolean actionApplied;
        public boolean actionFailed;

        Story(IncidentReport report) {
            this.report = report;
        }

        public Incident incident() {
            return report.incident();
        }
    }

    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private final Map<String, Story> stories = new LinkedHashMap<>();
    private volatile long lastEventNanos = System.nanoTime();

    public Narrator(PrintStream out) {
        this.out = out;
    }

    private String t() {
        return String.format(Locale.ROOT, "[%5.1fs]", (System.nanoTime() - startNanos) / 1e9);
    }

    private static String indent() {
        return "         ";
    }

    @Override
    public synchronized void onIncidentAnalyzed(IncidentReport report) {
        event();
        Incident i = report.incident();
        stories.put(i.id(), new Story(report));
        out.println();
        out.printf("%s INCIDENT %s · %s · severity %s%n", t(), i.type(), i.rootResource().key(),
                i.severity().name().toLowerCase(Locale.ROOT));
        List<Finding> findings = i.findings();
        if (!findings.isEmpty()) {
            out.printf("%sdetected   %s%s%n", indent(), findings.get(0).message(),
                    findings.size() > 1 ? "  (+" + (findings.size() - 1) + " more)" : "");
        }
        var d = report.diagnosis();
        out.printf("%sdiagnosis  %s: %s%n", indent(), d.category(), d.rootCause());
        out.printf("%s           by %s, confidence %.2f%n", indent(), d.analyzerId(), d.confidence());
        String fallback = io.kubeincident.responder.ReportJson.fallback(report);
        if (fallback != null) {
            wrap("instead of the analyzer asked first: " + fallback, indent() + "           ", 100).forEach(out::println);
        }
        if (report.plan().isEmpty()) {
            out.printf("%sverdict    no automatic action%n", indent());
            wrap(d.reasoning().isBlank() ? "the analyzer proposed none" : d.reasoning(), indent() + "           ", 100)
                    .forEach(out::println);
        }
        for (PlannedAction pa : report.plan()) {
            out.printf("%sverdict    %s %s (confidence %.2f): %s%n", indent(), pa.action().actionType(),
                    pa.action().target().key(), pa.action().confidence(), decision(pa.decision()));
            for (String reason : pa.reasons()) out.printf("%s             - %s%n", indent(), reason);
        }
    }

    @Override
    public synchronized void onApprovalRequested(Incident incident, PlannedAction action, String approvalId) {
        event();
        Story s = stories.get(incident.id());
        if (s != null) s.approvalId = approvalId;
        out.printf("%saction     %s held for a human's approval (approval id %s)%n", indent(),
                action.action().actionType(), approvalId);
    }

    @Override
    public synchronized void onActionExecuted(Incident incident, PlannedAction action, ActionResult result) {
        event();
        Story s = stories.get(incident.id());
        String line = action.action().actionType() + " " + result.kind() + ": " + result.message();
        if (s != null) {
            s.actions.add(action.action().actionType() + " " + result.kind());
            s.actionApplied |= result instanceof ActionResult.Applied || result instanceof ActionResult.DryRun;
            s.actionFailed |= result instanceof ActionResult.Failed;
        }
        out.printf("%saction     %s%n", indent(), line);
    }

    @Override
    public synchronized void onIncidentResolved(Incident incident) {
        event();
        Story s = stories.get(incident.id());
        if (s != null) {
            s.resolved = true;
            if (s.verification == null) s.verification = "resolved";
        }
        out.printf("%s resolved  %s on %s: every finding cleared%n", t(), incident.type(),
                incident.rootResource().key());
    }

    @Override
    public synchronized void onIncidentEscalated(Incident incident, String reason) {
        event();
        Story s = stories.get(incident.id());
        if (s != null) {
            s.escalated = true;
            s.verification = "escalated";
        }
        out.printf("%s escalated %s on %s: %s%n", t(), incident.type(), incident.rootResource().key(), reason);
    }

    @Override
    public synchronized void write(AuditRecord record) {
        if (!VERIFICATION_STEPS.contains(record.step())) return;
        event();
        Story s = stories.get(record.incidentId());
        Object result = record.field("result") != null ? record.field("result") : record.field("outcome");
        String what = (result == null ? record.step() : String.valueOf(result)).toLowerCase(Locale.ROOT);
        if (s != null) s.verification = what;
        Object action = record.field("action");
        Object resource = record.field("resource");
        Object msg = record.field("message");
        out.printf("%s %-9s %s%s: %s%s%n", t(), record.step(), action == null ? "" : action + " on ",
                resource == null ? "" : resource, what, msg == null ? "" : " (" + msg + ")");
    }

    /** How long nothing has happened. */
    public java.time.Duration quietFor() {
        return java.time.Duration.ofNanos(System.nanoTime() - lastEventNanos);
    }

    private void event() {
        lastEventNanos = System.nanoTime();
    }

    public synchronized List<Story> stories() {
        return List.copyOf(stories.values());
    }

    /** The summary table, one row per incident. */
    public synchronized void summary() {
        out.println();
        out.println("Summary");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"INCIDENT", "RESOURCE", "DIAGNOSIS", "BY", "CONF", "DECISION", "ACTION", "OUTCOME"});
        for (Story s : stories.values()) {
            var r = s.report;
            String decision = r.plan().isEmpty() ? "-" : r.plan().get(0).decision().id();
            String action = s.actions.isEmpty() ? (r.plan().isEmpty() ? "none" : r.plan().get(0).action().actionType())
                    : String.join(", ", s.actions);
            String outcome = s.verification != null ? s.verification
                    : s.approvalId != null ? "awaiting approval"
                    : s.actionApplied ? "verifying"
                    : r.plan().stream().anyMatch(p -> p.decision() == Decision.DENIED) ? "refused, left to a human"
                    : "left to a human";
            rows.add(new String[]{r.incident().type(), r.incident().rootResource().key(), r.diagnosis().category(),
                    r.diagnosis().analyzerId() + (io.kubeincident.responder.ReportJson.fallback(r) != null ? "*" : ""),
                    String.format(Locale.ROOT, "%.2f", r.diagnosis().confidence()), decision, action, outcome});
        }
        table(rows, out);
    }

    private static String decision(Decision d) {
        return switch (d) {
            case EXECUTE -> "EXECUTE";
            case APPROVAL -> "NEEDS APPROVAL";
            case LOG_ONLY -> "LOG ONLY";
            case DENIED -> "DENIED";
        };
    }

    /** Words of {@code text} in lines of at most {@code width} characters after {@code prefix}. */
    static List<String> wrap(String text, String prefix, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.replace('\n', ' ').trim().split("\\s+")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(prefix + line);
                line.setLength(0);
            }
            if (line.length() > 0) line.append(' ');
            line.append(word);
        }
        if (line.length() > 0) lines.add(prefix + line);
        return lines;
    }

    static void table(List<String[]> rows, PrintStream out) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) for (int i = 0; i < cols; i++) width[i] = Math.max(width[i], r[i].length());
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder("  ");
            for (int i = 0; i < cols; i++) {
                sb.append(r[i]);
                if (i < cols - 1) sb.append(" ".repeat(width[i] - r[i].length() + 2));
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}

package io.kubeincident.responder.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubeincident.api.AuditRecord;
import io.kubeincident.api.EventSummary;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.LogExcerpt;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.RolloutRevision;
import io.kubeincident.responder.ReportJson;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The console API's JSON shapes, as plain maps for Jackson. Every string is data: the browser renders it
 * as text (never as markup), whatever it contains.
 */
final class ConsoleJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private ConsoleJson() {
    }

    static Map<String, Object> summary(Incident i, IncidentReport report, String phase, Instant changed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("type", i.type());
        m.put("severity", i.severity().name().toLowerCase(Locale.ROOT));
        m.put("phase", phase);
        m.put("namespace", i.namespace());
        m.put("root", ref(i.rootResource()));
        m.put("headline", i.findings().isEmpty() ? "" : i.findings().get(0).message());
        m.put("openedAt", str(i.openedAt()));
        m.put("changedAt", str(changed == null ? i.updatedAt() : changed));
        if (report != null) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("category", report.diagnosis().category());
            d.put("confidence", report.diagnosis().confidence());
            d.put("analyzer", report.diagnosis().analyzerId());
            m.put("diagnosis", d);
        }
        return m;
    }

    static Map<String, Object> detail(Incident i, IncidentReport report, String phase, Instant changed,
                                      List<ConsoleStore.Entry> entries) {
        Map<String, Object> m = summary(i, report, phase, changed);
        List<Object> resources = new ArrayList<>();
        i.resources().forEach(r -> resources.add(ref(r)));
        m.put("resources", resources);
        List<Object> findings = new ArrayList<>();
        for (Finding f : i.findings()) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("detector", f.detectorId());
            fm.put("severity", f.severity().name().toLowerCase(Locale.ROOT));
            fm.put("resource", ref(f.resource()));
            fm.put("message", f.message());
            fm.put("observedAt", str(f.observedAt()));
            findings.add(fm);
        }
        m.put("findings", findings);
        List<Object> timeline = new ArrayList<>();
        for (ConsoleStore.Entry e : entries) {
            Map<String, Object> em = new LinkedHashMap<>();
            em.put("at", str(e.at()));
            em.put("stage", e.stage());
            em.put("title", e.title());
            em.put("text", e.text());
            em.put("reasons", e.reasons());
            em.put("tone", e.tone());
            timeline.add(em);
        }
        m.put("timeline", timeline);
        if (report != null) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("category", report.diagnosis().category());
            d.put("rootCause", report.diagnosis().rootCause());
            d.put("reasoning", report.diagnosis().reasoning());
            d.put("confidence", report.diagnosis().confidence());
            d.put("analyzer", report.diagnosis().analyzerId());
            m.put("diagnosis", d);
            List<Object> plan = new ArrayList<>();
            for (PlannedAction pa : report.plan()) {
                Map<String, Object> p = ReportJson.planned(pa);
                p.put("rationale", pa.action().rationale());
                plan.add(p);
            }
            m.put("plan", plan);
            m.put("evidence", evidence(report.evidence()));
        }
        return m;
    }

    static Map<String, Object> evidence(Evidence e) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> events = new ArrayList<>();
        for (EventSummary ev : e.events()) {
            Map<String, Object> em = new LinkedHashMap<>();
            em.put("type", ev.type());
            em.put("reason", ev.reason());
            em.put("message", ev.message());
            em.put("count", ev.count());
            em.put("lastSeen", str(ev.lastSeen()));
            em.put("object", ev.involved() == null ? null : ev.involved().key());
            events.add(em);
        }
        m.put("events", events);
        List<Object> logs = new ArrayList<>();
        for (LogExcerpt l : e.logs()) {
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("pod", l.pod().key());
            lm.put("container", l.container());
            lm.put("previous", l.previous());
            lm.put("lines", l.lines());
            lm.put("truncated", l.truncated());
            logs.add(lm);
        }
        m.put("logs", logs);
        List<Object> owners = new ArrayList<>();
        e.ownerChain().forEach(r -> owners.add(ref(r)));
        m.put("ownerChain", owners);
        List<Object> revisions = new ArrayList<>();
        for (RolloutRevision r : e.rolloutHistory()) {
            Map<String, Object> rm = new LinkedHashMap<>();
            rm.put("revision", r.revision());
            rm.put("replicaSet", r.replicaSet().name());
            rm.put("images", r.images());
            rm.put("createdAt", str(r.createdAt()));
            rm.put("readyReplicas", r.readyReplicas());
            rm.put("current", r.current());
            revisions.add(rm);
        }
        m.put("rollout", revisions);
        m.put("rolloutChange", rolloutChange(e.rolloutHistory()));
        m.put("facts", new TreeMap<>(e.facts()));
        m.put("knowledge", e.knowledge());
        return m;
    }

    /**
     * What changed between the last healthy revision (the newest older one that has ready replicas, else the
     * one before the current) and the current one: the images that differ, container by container position.
     * Null when there is nothing to compare.
     */
    static Map<String, Object> rolloutChange(List<RolloutRevision> history) {
        RolloutRevision current = history.stream().filter(RolloutRevision::current).findFirst().orElse(null);
        if (current == null) return null;
        List<RolloutRevision> older = history.stream().filter(r -> r.revision() < current.revision()).toList();
        if (older.isEmpty()) return null;
        RolloutRevision healthy = older.stream().filter(r -> r.readyReplicas() > 0)
                .max((a, b) -> Long.compare(a.revision(), b.revision()))
                .orElse(older.stream().max((a, b) -> Long.compare(a.revision(), b.revision())).orElseThrow());
        List<Object> changes = new ArrayList<>();
        int n = Math.max(current.images().size(), healthy.images().size());
        for (int k = 0; k < n; k++) {
            String from = k < healthy.images().size() ? healthy.images().get(k) : null;
            String to = k < current.images().size() ? current.images().get(k) : null;
            if (from == null ? to != null : !from.equals(to)) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("container", k);
                c.put("from", from);
                c.put("to", to);
                changes.add(c);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("healthyRevision", healthy.revision());
        m.put("healthyReady", healthy.readyReplicas());
        m.put("failingRevision", current.revision());
        m.put("failingReady", current.readyReplicas());
        m.put("images", changes);
        return m;
    }

    static Map<String, Object> audit(AuditRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timestamp", str(r.timestamp()));
        m.put("incidentId", r.incidentId());
        m.put("step", r.step());
        m.put("fields", r.fields());
        return m;
    }

    /** The record as lower-case JSON text, for the search box. */
    static String searchable(AuditRecord r) {
        try {
            return MAPPER.writeValueAsString(audit(r)).toLowerCase(Locale.ROOT);
        } catch (JsonProcessingException e) {
            return (r.incidentId() + " " + r.step()).toLowerCase(Locale.ROOT);
        }
    }

    static Map<String, Object> ref(ResourceRef ref) {
        Map<String, Object> m = ReportJson.ref(ref);
        m.put("key", ref.key());
        return m;
    }

    static String str(Instant i) {
        return i == null ? null : i.toString();
    }
}

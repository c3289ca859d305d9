package io.kubeincident.responder.console;

import io.kubeincident.api.AuditRecord;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.approval.ApprovalQueue;
import io.kubeincident.core.monitor.ClusterMonitor;
import io.kubeincident.core.monitor.WatchedKind;
import io.kubeincident.openai.OpenAiAnalyzer;
import io.kubeincident.openai.OpenAiStats;
import io.kubeincident.responder.ReportJson;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.SafetyPolicy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The read side of the web console under {@code /api/v1/console/} (the bearer token and the leader check are
 * the HTTP layer's): incidents with their timelines, the approvals inbox, engine status, audit search, and
 * a server-sent event stream of change notices. Approving and rejecting go through the ordinary approval API.
 */
public final class ConsoleApi {
    public static final String PREFIX = "/api/v1/console/";
    private static final Pattern INCIDENT = Pattern.compile("^/api/v1/console/incidents/([A-Za-z0-9._:-]{1,128})$");
    private static final int MAX_AUDIT = 500;
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    /** An answer: HTTP status and a JSON-like body. */
    public record Reply(int status, Object body) {
    }

    private final ConsoleStore store;
    private final Clock clock;

    public ConsoleApi(ConsoleStore store) {
        this(store, Clock.systemUTC());
    }

    public ConsoleApi(ConsoleStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public ConsoleStore store() {
        return store;
    }

    /** True for the event stream's path (served by {@link #stream}). */
    public static boolean isStream(String path) {
        return path.equals(PREFIX + "events");
    }

    /**
     * Answers a GET under {@link #PREFIX} other than the stream.
     *
     * @param runtime what the host knows beyond the engine: leader, identity, readiness
     */
    public Reply get(String path, String rawQuery, IncidentEngine engine, Map<String, Object> runtime) {
        if (path.equals(PREFIX + "incidents")) return new Reply(200, Map.of("incidents", store.incidents()));
        Matcher m = INCIDENT.matcher(path);
        if (m.matches()) {
            Map<String, Object> detail = store.detail(m.group(1));
            if (detail == null) return new Reply(404, Map.of("error", "no incident " + m.group(1) + " is known here"));
            return new Reply(200, detail);
        }
        if (path.equals(PREFIX + "approvals")) return new Reply(200, approvals(engine));
        if (path.equals(PREFIX + "status")) return new Reply(200, status(engine, runtime));
        if (path.equals(PREFIX + "audit")) {
            Map<String, String> q = query(rawQuery);
            int limit = 200;
            try {
                if (q.containsKey("limit")) limit = Math.max(1, Math.min(MAX_AUDIT, Integer.parseInt(q.get("limit"))));
            } catch (NumberFormatException e) {
                return new Reply(400, Map.of("error", "limit must be a number from 1 to " + MAX_AUDIT));
            }
            List<Object> records = new ArrayList<>();
            for (AuditRecord r : store.audit(q.get("q"), limit)) records.add(ConsoleJson.audit(r));
            return new Reply(200, Map.of("records", records));
        }
        return new Reply(404, Map.of("error", "no such console endpoint: " + path));
    }

    /** Pending requests (from the engine, the authority) and recently decided, expired or withdrawn ones. */
    Map<String, Object> approvals(IncidentEngine engine) {
        Instant now = clock.instant();
        List<Object> pending = new ArrayList<>();
        Set<String> pendingIds = new LinkedHashSet<>();
        Map<String, ConsoleStore.ApprovalSeen> seen = new LinkedHashMap<>();
        for (ConsoleStore.ApprovalSeen s : store.approvalsSeen()) seen.put(s.id(), s);
        for (ApprovalQueue.Pending p : engine.pendingApprovals()) {
            pendingIds.add(p.id());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", p.id());
            m.put("status", "pending");
            m.put("incidentId", p.incident().id());
            m.put("incidentType", p.incident().type());
            m.put("root", ConsoleJson.ref(p.incident().rootResource()));
            m.putAll(ReportJson.planned(p.action()));
            m.put("rationale", p.action().action().rationale());
            m.put("requestedAt", p.requestedAt().toString());
            m.put("expiresAt", p.expiresAt().toString());
            pending.add(m);
        }
        List<Object> recent = new ArrayList<>();
        for (ConsoleStore.ApprovalSeen s : seen.values()) {
            if (pendingIds.contains(s.id()) || recent.size() >= 50) continue;
            String fate = s.fate();
            if (fate.equals("pending")) {
                fate = s.expiresAt() != null && !s.expiresAt().isAfter(now) ? "expired" : "withdrawn";
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            m.put("status", fate);
            m.put("incidentId", s.incidentId());
            m.put("incidentType", s.incidentType());
            m.putAll(ReportJson.planned(s.action()));
            m.put("rationale", s.action().action().rationale());
            m.put("requestedAt", ConsoleJson.str(s.requestedAt()));
            m.put("expiresAt", ConsoleJson.str(s.expiresAt()));
            m.put("decidedBy", s.by());
            m.put("decidedAt", ConsoleJson.str(s.decidedAt()));
            recent.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pending", pending);
        out.put("recent", recent);
        out.put("now", now.toString());
        return out;
    }

    Map<String, Object> status(IncidentEngine engine, Map<String, Object> runtime) {
        Map<String, Object> m = new LinkedHashMap<>(runtime);
        m.put("mode", engine.config().mode().id());
        m.put("confidenceThreshold", engine.config().confidenceThreshold());
        m.put("approvalThreshold", engine.config().approvalThreshold());
        m.put("cacheReady", engine.isReady());
        List<Object> analyzers = new ArrayList<>();
        for (Analyzer a : engine.analyzers()) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("id", a.id());
            am.put("priority", a.priority());
            if (a instanceof OpenAiAnalyzer llm) {
                OpenAiStats s = llm.stats();
                am.put("circuit", s.circuit());
                am.put("health", s.circuit().equals("closed") ? "healthy" : s.circuit().equals("open") ? "failing" : "recovering");
                am.put("detail", s.analyses() + " analyses, " + s.diagnosed() + " diagnosed, " + s.failed() + " failed, "
                        + s.declined() + " declined, " + s.tokensToday() + " tokens today");
            } else {
                am.put("health", "healthy");
                am.put("detail", a.priority() <= 0 ? "the fallback: always answers" : "");
            }
            List<AuditRecord> failures = store.audit("\"analyzer\":\"" + a.id() + "\"", 20).stream()
                    .filter(r -> r.step().equals("analyzer-failed") || r.step().equals("analyzer-declined")).toList();
            if (!failures.isEmpty()) {
                AuditRecord last = failures.get(0);
                Object msg = last.field("message") != null ? last.field("message") : last.field("reason");
                am.put("lastProblem", last.timestamp() + " " + last.step() + (msg == null ? "" : ": " + msg));
            }
            analyzers.add(am);
        }
        m.put("analyzers", analyzers);
        List<Object> actions = new ArrayList<>();
        engine.actionDescriptors().forEach(d -> actions.add(Map.of("id", d.id(), "description", d.description())));
        m.put("actions", actions);
        m.put("policies", engine.policies().stream().map(SafetyPolicy::id).toList());
        List<Object> kinds = new ArrayList<>();
        Optional<ClusterMonitor> monitor = engine.clusterMonitor();
        if (monitor.isPresent()) {
            ClusterMonitor mon = monitor.get();
            Map<WatchedKind, ClusterMonitor.KindStats> stats = mon.stats();
            for (WatchedKind k : mon.kinds()) {
                ClusterMonitor.KindStats s = stats.get(k);
                Map<String, Object> km = new LinkedHashMap<>();
                km.put("kind", k.kind());
                boolean disabled = s != null && s.disabledReason() != null;
                km.put("state", disabled ? "disabled" : mon.view().available(k.type()) ? "synced" : "syncing");
                km.put("detail", disabled ? s.disabledReason()
                        : s == null ? "" : s.lists() + " lists, " + s.watches() + " watches, " + s.events() + " events");
                kinds.add(km);
            }
        }
        m.put("caches", kinds);
        m.put("openIncidents", engine.openIncidents().size());
        m.put("pendingApprovals", engine.pendingApprovals().size());
        return m;
    }

    /**
     * Streams change notices as server-sent events until the client goes away or {@code open} turns false:
     * {@code incident} (data: the incident's summary), {@code approvals}, {@code audit}, and {@code resync}
     * when notices were dropped (the client then reads everything again). Blocks the calling thread.
     */
    public void stream(OutputStream os, BooleanSupplier open) throws IOException {
        BlockingQueue<ConsoleStore.Change> queue = new LinkedBlockingQueue<>(2000);
        AtomicBoolean overflow = new AtomicBoolean();
        Runnable unsubscribe = store.subscribe(c -> {
            if (!queue.offer(c)) overflow.set(true);
        });
        try {
            send(os, "retry: 2000\n\n" + event("hello", Map.of("at", clock.instant().toString())));
            while (open.getAsBoolean()) {
                ConsoleStore.Change first = queue.poll(KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    send(os, ": keep-alive\n\n");
                    continue;
                }
                List<ConsoleStore.Change> batch = new ArrayList<>();
                batch.add(first);
                queue.drainTo(batch);
                StringBuilder out = new StringBuilder();
                if (overflow.getAndSet(false)) out.append(event("resync", Map.of()));
                Set<String> done = new LinkedHashSet<>();
                for (ConsoleStore.Change c : batch) {
                    if (!done.add(c.kind() + "|" + (c.kind().equals("incident") ? c.incidentId() : ""))) continue;
                    if (c.kind().equals("incident")) {
                        Map<String, Object> summary = store.summary(c.incidentId());
                        if (summary != null) out.append(event("incident", summary));
                    } else {
                        out.append(event(c.kind(), Map.of()));
                    }
                }
                send(os, out.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            unsubscribe.run();
        }
    }

    private static String event(String name, Object data) throws IOException {
        // JSON text has no raw newlines, so one data line carries it.
        return "event: " + name + "\ndata: " + ConsoleJson.MAPPER.writeValueAsString(data) + "\n\n";
    }

    private static void send(OutputStream os, String text) throws IOException {
        os.write(text.getBytes(StandardCharsets.UTF_8));
        os.flush();
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return out;
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq);
            String v = eq < 0 ? "" : part.substring(eq + 1);
            try {
                out.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException ignored) {
                // a malformed escape: the parameter is left out
            }
        }
        return out;
    }
}

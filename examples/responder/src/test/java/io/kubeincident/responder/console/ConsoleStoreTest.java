package io.kubeincident.responder.console;

import io.kubeincident.api.ActionResult;
import io.kubeincident.api.AuditRecord;
import io.kubeincident.api.Decision;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.RolloutRevision;
import io.kubeincident.api.Severity;
import io.kubeincident.api.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The console's store as the engine feeds it: timelines, approvals' fate, bounds, and subscribers. */
class ConsoleStoreTest {
    private static final Instant T0 = Instant.parse("2026-12-04T03:00:00Z");
    private final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);

    private static Incident incident(String id, IncidentState state) {
        ResourceRef root = ResourceRef.of("Deployment", "shop", "web-" + id);
        return new Incident(id, "fp-" + id, "crash-loop", Severity.HIGH, root, List.of(root), List.of(), state, T0, null);
    }

    private static PlannedAction restart(Decision d) {
        return new PlannedAction(new ProposedAction("restart-pod", ResourceRef.of("Pod", "shop", "web-1"), Map.of(), 0.7,
                "restart it"), Verdict.allow(), d, List.of("needs approval"));
    }

    @Test
    void theTimelineFollowsTheIncidentsLife() {
        ConsoleStore store = new ConsoleStore(clock, 10, 10);
        Incident i = incident("a", IncidentState.OPEN);
        store.onIncidentOpened(i);
        assertEquals("open", store.summary("a").get("phase"));
        store.onIncidentAnalyzed(new IncidentReport(i, Evidence.empty(), new Diagnosis("app-crash", "exits 1", "why",
                0.7, "rules", List.of(), Map.of()), List.of(restart(Decision.APPROVAL))));
        store.write(new AuditRecord(T0, "a", "approval-requested", Map.of("approval_id", "ap-1",
                "expires_at", T0.plusSeconds(3600).toString())));
        store.onApprovalRequested(i, restart(Decision.APPROVAL), "ap-1");
        assertEquals("remediating", store.summary("a").get("phase"));
        assertEquals(T0.plusSeconds(3600), store.approvalsSeen().get(0).expiresAt());
        store.write(new AuditRecord(T0, "a", "approved", Map.of("approval_id", "ap-1", "approver", "alice")));
        store.onActionExecuted(i, restart(Decision.EXECUTE), ActionResult.applied("deleted it"));
        store.write(new AuditRecord(T0, "a", "verified", Map.of("action", "restart-pod", "result", "resolved")));
        store.onIncidentResolved(i.withState(IncidentState.RESOLVED, T0.plusSeconds(5)));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> timeline = (List<Map<String, Object>>) store.detail("a").get("timeline");
        assertEquals(List.of("detected", "evidence", "diagnosis", "plan", "verdict", "approval", "approval",
                "execution", "verification", "outcome"), timeline.stream().map(e -> e.get("stage")).toList());
        assertEquals("approved by alice", timeline.get(6).get("title"));
        assertEquals("resolved", store.summary("a").get("phase"));
        assertEquals("approved", store.approvalsSeen().get(0).fate());
        assertEquals("alice", store.approvalsSeen().get(0).by());
    }

    @Test
    void boundedClosedIncidentsGoFirstAndTheAuditRingSearches() {
        ConsoleStore store = new ConsoleStore(clock, 3, 5);
        store.onIncidentOpened(incident("open-1", IncidentState.OPEN));
        store.onIncidentOpened(incident("closed-1", IncidentState.OPEN));
        store.onIncidentResolved(incident("closed-1", IncidentState.RESOLVED));
        store.onIncidentOpened(incident("open-2", IncidentState.OPEN));
        store.onIncidentOpened(incident("open-3", IncidentState.OPEN));
        assertNull(store.summary("closed-1"), "the closed one was dropped first");
        assertNotNull(store.summary("open-1"));
        for (int n = 0; n < 8; n++) store.write(new AuditRecord(T0, "i-" + n, "detected", Map.of("resource", "Pod/x/" + n)));
        assertEquals(5, store.audit("", 100).size());
        assertEquals("i-7", store.audit("", 100).get(0).incidentId(), "newest first");
        assertEquals(List.of("i-6"), store.audit("POD/X/6", 100).stream().map(AuditRecord::incidentId).toList());
        assertEquals(2, store.audit("", 2).size());
        assertThrows(IllegalArgumentException.class, () -> new ConsoleStore(clock, 0, 5));
    }

    @Test
    void aBrokenSubscriberDoesNotStopTheOthers() {
        ConsoleStore store = new ConsoleStore(clock, 10, 10);
        List<String> seen = new ArrayList<>();
        store.subscribe(c -> {
            throw new IllegalStateException("broken");
        });
        Runnable off = store.subscribe(c -> seen.add(c.kind() + ":" + c.incidentId()));
        store.onIncidentOpened(incident("a", IncidentState.OPEN));
        assertTrue(seen.contains("incident:a"), seen.toString());
        off.run();
        store.onIncidentOpened(incident("b", IncidentState.OPEN));
        assertTrue(seen.stream().noneMatch(s -> s.endsWith(":b")), seen.toString());
    }

    @Test
    void theRolloutChangeComparesTheLastHealthyRevisionWithTheCurrent() {
        ResourceRef rs = ResourceRef.of("ReplicaSet", "shop", "rs");
        List<RolloutRevision> history = List.of(
                new RolloutRevision(3, rs, List.of("app:3", "sidecar:1"), T0, 0, true),
                new RolloutRevision(2, rs, List.of("app:2", "sidecar:1"), T0, 0, false),
                new RolloutRevision(1, rs, List.of("app:1", "sidecar:1"), T0, 2, false));
        Map<String, Object> change = ConsoleJson.rolloutChange(history);
        assertEquals(1L, change.get("healthyRevision"), "revision 2 never had a ready replica");
        assertEquals(List.of(Map.of("container", 0, "from", "app:1", "to", "app:3")), change.get("images"));
        assertNull(ConsoleJson.rolloutChange(List.of(history.get(0))), "nothing to compare with");
        assertNull(ConsoleJson.rolloutChange(List.of()));
    }
}

package io.kubeincident.core.approval;

import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.Decision;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.api.Verdict;
import io.kubeincident.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApprovalServiceTest {
    private static final Instant NOW = Instant.parse("2026-01-20T10:30:00Z");

    private final MutableClock clock = new MutableClock(NOW);
    private final ApprovalQueue queue = new ApprovalQueue(clock, Duration.ofMinutes(30), 3);
    private final List<String> ran = new ArrayList<>();
    private final List<String> rejected = new ArrayList<>();
    private final ApprovalService service = new ApprovalService(queue, (p, who) -> {
        ran.add(p.id() + " by " + who);
        return ActionResult.applied("rolled back");
    }, (p, why) -> rejected.add(p.id() + " " + why));

    private static Incident incident(String name) {
        ResourceRef d = ResourceRef.of("Deployment", "default", name);
        return new Incident("inc-" + name, "rollout-stuck:" + d.key(), "rollout-stuck", Severity.HIGH, d, null, null,
                IncidentState.OPEN, NOW, NOW);
    }

    private static PlannedAction rollback(String name) {
        return new PlannedAction(new ProposedAction(ActionTypes.ROLLBACK_DEPLOYMENT, ResourceRef.of("Deployment", "default", name),
                Map.of(), 0.7, "bad image"), Verdict.allow(), Decision.APPROVAL, List.of("confidence 0.70 needs approval"));
    }

    @Test
    void approvingRunsTheActionOnceAndOnlyOnce() {
        var p = queue.hold(incident("web"), rollback("web"));
        assertEquals(List.of(p), service.pending());
        var first = service.approve(p.id(), "alice");
        var approved = assertInstanceOf(Approvals.Decision.Approved.class, first);
        assertEquals("applied", approved.result().kind());
        assertEquals(List.of(p.id() + " by alice"), ran);
        var again = assertInstanceOf(Approvals.Decision.AlreadyDecided.class, service.approve(p.id(), "bob"));
        assertEquals(ApprovalQueue.Gone.APPROVED, again.how());
        assertEquals(1, ran.size(), "a second approval does not run it again");
        assertTrue(service.pending().isEmpty());
    }

    @Test
    void rejectedRequestsNeverRun() {
        var p = queue.hold(incident("web"), rollback("web"));
        assertInstanceOf(Approvals.Decision.Rejected.class, service.reject(p.id(), "carol", "not during the demo"));
        assertEquals(List.of(p.id() + " carol: not during the demo"), rejected);
        assertInstanceOf(Approvals.Decision.AlreadyDecided.class, service.approve(p.id(), "alice"));
        assertTrue(ran.isEmpty());
    }

    @Test
    void requestsExpireAndALateApprovalSaysSo() {
        var p = queue.hold(incident("web"), rollback("web"));
        clock.advance(Duration.ofMinutes(31));
        assertInstanceOf(Approvals.Decision.Expired.class, service.approve(p.id(), "alice"));
        assertTrue(ran.isEmpty());
        assertEquals(List.of(p), queue.expire(), "reported once as expired");
        assertTrue(queue.expire().isEmpty());
    }

    @Test
    void theSameRequestIsHeldOnceAndTheQueueIsBounded() {
        var a = queue.hold(incident("web"), rollback("web"));
        assertEquals(a.id(), queue.hold(incident("web"), rollback("web")).id(), "no duplicate per sweep");
        var b = queue.hold(incident("api"), rollback("api"));
        var c = queue.hold(incident("db"), rollback("db"));
        assertNotEquals(b.id(), c.id());
        var d = queue.hold(incident("cache"), rollback("cache"));
        assertEquals(3, queue.list().size());
        assertTrue(queue.get(a.id()).isEmpty(), "the oldest made room");
        assertInstanceOf(Approvals.Decision.Expired.class, service.approve(a.id(), "alice"));
        assertTrue(queue.get(d.id()).isPresent());
    }

    @Test
    void badCallsAreRefusedWithoutDecidingAnything() {
        var p = queue.hold(incident("web"), rollback("web"));
        assertInstanceOf(Approvals.Decision.Invalid.class, service.approve(p.id(), " "));
        assertInstanceOf(Approvals.Decision.Invalid.class, service.reject(null, "alice", "x"));
        assertInstanceOf(Approvals.Decision.NotFound.class, service.approve("no-such-id", "alice"));
        assertEquals(1, service.pending().size(), "still pending");
    }

    @Test
    void aRunnerThatThrowsBecomesAFailedResult() {
        ApprovalService throwing = new ApprovalService(queue, (p, who) -> {
            throw new IllegalStateException("boom");
        }, (p, why) -> { });
        var p = queue.hold(incident("web"), rollback("web"));
        var d = assertInstanceOf(Approvals.Decision.Approved.class, throwing.approve(p.id(), "alice"));
        assertInstanceOf(ActionResult.Failed.class, d.result());
        assertTrue(d.result().message().contains("boom"));
    }

    @Test
    void withdrawingAnIncidentDropsItsRequests() {
        var p = queue.hold(incident("web"), rollback("web"));
        assertEquals(List.of(p), queue.withdraw(p.incident().id()));
        assertInstanceOf(Approvals.Decision.Expired.class, service.approve(p.id(), "alice"));
    }
}

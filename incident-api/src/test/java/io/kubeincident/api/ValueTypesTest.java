package io.kubeincident.api;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValueTypesTest {

    @Test
    void resourceRefRequiresKindAndNameAndComparesUidOnlyWhenBothKnowIt() {
        assertThrows(IllegalArgumentException.class, () -> ResourceRef.of("", "default", "web"));
        assertThrows(IllegalArgumentException.class, () -> ResourceRef.of("Pod", "default", " "));
        ResourceRef a = new ResourceRef("Pod", "default", "web-1", "u1");
        assertTrue(a.sameTarget(ResourceRef.of("Pod", "default", "web-1")));
        assertFalse(a.sameTarget(new ResourceRef("Pod", "default", "web-1", "u2")), "a replaced pod is another target");
        assertFalse(a.sameTarget(ResourceRef.of("Pod", "other", "web-1")));
        assertEquals("Node/n1", ResourceRef.cluster("Node", "n1").key());
        assertEquals(null, ResourceRef.of("Node", "", "n1").namespace());
    }

    @Test
    void confidenceOutsideZeroToOneIsRejected() {
        ResourceRef t = ResourceRef.of("Pod", "default", "p");
        assertThrows(IllegalArgumentException.class, () -> new ProposedAction("restart-pod", t, Map.of(), 1.7, ""));
        assertThrows(IllegalArgumentException.class, () -> new ProposedAction("restart-pod", t, Map.of(), -1, ""));
        assertThrows(IllegalArgumentException.class, () -> new ProposedAction("restart-pod", t, Map.of(), Double.NaN, ""));
        assertThrows(IllegalArgumentException.class, () -> new ProposedAction("Restart Pod!", t, Map.of(), 0.5, ""));
        assertEquals(1.0, Confidence.clamp(1.7));
        assertEquals(0.0, Confidence.clamp(Double.NaN));
    }

    @Test
    void recordsCopyTheirCollections() {
        Map<String, Object> params = new HashMap<>(Map.of("replicas", 3));
        ProposedAction p = new ProposedAction("scale", ResourceRef.of("Deployment", "d", "web"), params, 0.9, "x");
        params.put("replicas", 1000);
        assertEquals(3, p.parameters().get("replicas"));
        List<String> reasons = new ArrayList<>(List.of("a"));
        Verdict v = new Verdict.Deny(reasons);
        reasons.clear();
        assertEquals(List.of("a"), v.reasons());
    }

    @Test
    void mostRestrictiveVerdictWinsWithEveryReasonAtThatLevel() {
        Verdict v = Verdict.mostRestrictive(List.of(Verdict.allow(), Verdict.requireApproval("freeze"),
                Verdict.deny("excluded"), Verdict.deny("cooldown")));
        assertTrue(v.isDeny());
        assertEquals(List.of("excluded", "cooldown"), v.reasons());
        assertTrue(Verdict.mostRestrictive(List.of()).isAllow());
        assertThrows(IllegalArgumentException.class, () -> new Verdict.Deny(List.of()), "a deny must say why");
    }

    @Test
    void incidentInvolvesItsResourcesOnly() {
        ResourceRef root = ResourceRef.of("Deployment", "default", "web");
        ResourceRef pod = ResourceRef.of("Pod", "default", "web-1");
        Incident i = new Incident("id", "crash-loop:" + root.key(), "crash-loop", Severity.HIGH, root, List.of(root, pod),
                List.of(), IncidentState.OPEN, Instant.EPOCH, null);
        assertTrue(i.involves(pod));
        assertFalse(i.involves(ResourceRef.of("Deployment", "payments", "web")));
        assertEquals(Instant.EPOCH, i.updatedAt());
    }

    @Test
    void configViewParsesTypedValuesAndNamesTheKeyOnErrors() {
        ConfigView c = ConfigView.of(Map.of("a.n", "3", "a.b", "yes", "a.l", "x, y,,z", "a.bad", "x"));
        assertEquals(3, c.getInt("a.n", 0));
        assertTrue(c.getBoolean("a.b", false));
        assertEquals(List.of("x", "y", "z"), c.getList("a.l", List.of()));
        assertEquals(7, c.getInt("missing", 7));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.getInt("a.bad", 0));
        assertTrue(e.getMessage().startsWith("a.bad"));
        assertEquals(3, c.under("a").getInt("n", 0));
        assertTrue(c.under("a").keys().contains("bad"));
    }

    @Test
    void actionResultKinds() {
        assertEquals("applied", ActionResult.applied("x").kind());
        assertEquals("dry-run", ActionResult.dryRun("x").kind());
        assertEquals("skipped", ActionResult.skipped("x").kind());
        assertEquals("failed", ActionResult.failed("").kind());
        assertEquals("failed without a reason", ActionResult.failed(" ").message());
    }
}

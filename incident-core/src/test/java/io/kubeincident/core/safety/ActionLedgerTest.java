package io.kubeincident.core.safety;

import io.kubeincident.api.ResourceRef;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActionLedgerTest {
    private static final Instant NOW = Instant.parse("2026-01-20T10:30:00Z");
    private static final ResourceRef WEB = ResourceRef.of("Deployment", "default", "web");

    @Test
    void twoActionsRacingOnOneTargetOnlyOneGetsIt() throws Exception {
        ActionLedger ledger = new ActionLedger();
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<ActionLedger.Claim>> claims = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                claims.add(pool.submit(() -> {
                    start.await(5, TimeUnit.SECONDS);
                    return ledger.claim(new ResourceRef("Deployment", "default", "web", null));
                }));
            }
            start.countDown();
            int granted = 0;
            for (Future<ActionLedger.Claim> f : claims) {
                ActionLedger.Claim c = f.get(5, TimeUnit.SECONDS);
                if (c.granted()) granted++;
                else assertEquals(ActionLedger.Claim.TARGET_BUSY, c);
            }
            assertEquals(1, granted);
        } finally {
            pool.shutdownNow();
        }
        ledger.release(WEB);
        assertTrue(ledger.claim(WEB).granted(), "free again once released");
    }

    @Test
    void claimsRespectTheConcurrencyCeiling() {
        ActionLedger ledger = new ActionLedger(2, Duration.ofHours(1));
        assertTrue(ledger.tryClaim(ResourceRef.of("Pod", "a", "1")));
        assertTrue(ledger.tryClaim(ResourceRef.of("Pod", "a", "2")));
        assertEquals(ActionLedger.Claim.AT_CAPACITY, ledger.claim(ResourceRef.of("Pod", "a", "3")));
        ledger.release(ResourceRef.of("Pod", "a", "1"));
        assertTrue(ledger.tryClaim(ResourceRef.of("Pod", "a", "3")));
    }

    @Test
    void entriesCarryTheirResultAndRunningCountsRealActionsOnly() {
        ActionLedger ledger = new ActionLedger();
        var a = ledger.started("i1", "fp", "scale", WEB, NOW, false);
        var b = ledger.started("i1", "fp", "scale", WEB, NOW.plusSeconds(1), true);
        assertEquals(1, ledger.running());
        ledger.finished(a, "applied");
        ledger.finished(b, "dry-run");
        ledger.finished(a, "applied");  // finishing twice does not go negative
        assertEquals(0, ledger.running());
        var entries = ledger.since(NOW);
        assertEquals(List.of("applied", "dry-run"), entries.stream().map(e -> e.result()).toList());
        assertEquals(1, ledger.since(NOW.plusSeconds(1)).size());
        ledger.started("i2", "fp2", "scale", WEB, NOW.plus(Duration.ofHours(30)), false);
        assertFalse(ledger.since(NOW.minusSeconds(1)).stream().anyMatch(e -> e.incidentId().equals("i1")),
                "old entries are pruned");
    }
}

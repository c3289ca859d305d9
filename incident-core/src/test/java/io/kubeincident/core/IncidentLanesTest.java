package io.kubeincident.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-incident lanes: one incident's work in order and never at once; different incidents side by side, bounded. */
class IncidentLanesTest {

    @Test
    void oneIncidentsWorkRunsInOrderAndNeverTwiceAtOnce() {
        try (IncidentLanes lanes = new IncidentLanes(4)) {
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                all.add(lanes.submit("a", () -> {
                    if (inside.incrementAndGet() > 1) overlaps.incrementAndGet();
                    sleep(5);
                    order.add(n);
                    inside.decrementAndGet();
                }));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
            assertEquals(0, overlaps.get());
            assertEquals(java.util.stream.IntStream.range(0, 20).boxed().toList(), order);
        }
    }

    @Test
    void differentIncidentsRunConcurrentlyUpToTheBound() throws Exception {
        try (IncidentLanes lanes = new IncidentLanes(3)) {
            CountDownLatch started = new CountDownLatch(3);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger running = new AtomicInteger();
            AtomicInteger peak = new AtomicInteger();
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                all.add(lanes.submit("incident-" + i, () -> {
                    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                    started.countDown();
                    await(release);
                    running.decrementAndGet();
                }));
            }
            assertTrue(started.await(10, TimeUnit.SECONDS), "three incidents started side by side");
            release.countDown();
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertEquals(3, peak.get(), "never more than the bound");
        }
    }

    @Test
    void aFailingTaskDoesNotStopItsLaneAndAnErrorReachesItsCaller() {
        try (IncidentLanes lanes = new IncidentLanes(2)) {
            AtomicInteger ran = new AtomicInteger();
            lanes.submit("a", () -> {
                throw new IllegalStateException("bug");
            });
            CompletableFuture<Void> error = lanes.submit("a", () -> {
                throw new AssertionError("host in trouble");
            });
            CompletableFuture<Void> after = lanes.submit("a", ran::incrementAndGet);
            after.join();
            assertEquals(1, ran.get());
            assertThrows(java.util.concurrent.CompletionException.class, error::join);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

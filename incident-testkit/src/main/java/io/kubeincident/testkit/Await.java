package io.kubeincident.testkit;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling for tests: every wait has a deadline and fails with a message when it passes. */
public final class Await {

    private static final long STEP_MILLIS = 20;

    private Await() {
    }

    /** Polls {@code condition} until it is true or {@code timeout} passes (then throws AssertionError). */
    public static void until(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) return;
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            sleep();
        }
    }

    /** Polls {@code supplier} until it yields a value or {@code timeout} passes (then throws AssertionError). */
    public static <T> T value(Duration timeout, Supplier<Optional<T>> supplier, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> v = supplier.get();
            if (v.isPresent()) return v.get();
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            sleep();
        }
    }

    /** Checks that {@code condition} stays true for {@code period} (polled), failing at the first false. */
    public static void holds(Duration period, BooleanSupplier condition, String what) {
        long end = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < end) {
            if (!condition.getAsBoolean()) throw new AssertionError("no longer true: " + what);
            sleep();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(STEP_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }
}

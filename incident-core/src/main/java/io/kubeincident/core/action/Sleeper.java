package io.kubeincident.core.action;

import java.time.Duration;

/** Waits between retries; tests pass one that returns at once so no test depends on the wall clock. */
@FunctionalInterface
public interface Sleeper {

    void sleep(Duration duration) throws InterruptedException;

    Sleeper SYSTEM = d -> {
        if (!d.isNegative() && !d.isZero()) Thread.sleep(d.toMillis());
    };

    Sleeper NONE = d -> {
        if (Thread.currentThread().isInterrupted()) throw new InterruptedException();
    };
}

package io.kubeincident.argocd;

import io.kubeincident.argocd.client.ArgoCdClient;
import io.kubeincident.argocd.client.ArgoError;
import io.kubeincident.argocd.client.ArgoResult;
import io.kubeincident.argocd.model.Application;
import io.kubeincident.argocd.model.OperationState;

import java.time.Duration;

/**
 * Waits, bounded in time and in number of polls, for the operation an action started to finish and then
 * for the application to turn Healthy. An operation is finished when the application no longer carries a
 * requested {@code operation} and its {@code operationState} is Succeeded, Failed or Error.
 */
final class OperationWaiter {

    enum Kind { HEALTHY, SUCCEEDED_NOT_HEALTHY, FAILED, TIMED_OUT, UNREADABLE }

    /**
     * @param kind  how it ended
     * @param app   the last application read, may be null
     * @param error the read error for {@code UNREADABLE}, else null
     * @param polls how many reads it took
     */
    record Outcome(Kind kind, Application app, ArgoError error, int polls) {
        String operationMessage() {
            OperationState op = app == null ? null : app.status().operationState();
            return op == null || op.message() == null ? "" : op.message();
        }

        String phase() {
            OperationState op = app == null ? null : app.status().operationState();
            return op == null || op.phase() == null ? "unknown" : op.phase();
        }
    }

    private final ArgoCd argo;
    private final ArgoCdClient.Sleeper sleeper;

    OperationWaiter(ArgoCd argo, ArgoCdClient.Sleeper sleeper) {
        this.argo = argo;
        this.sleeper = sleeper;
    }

    Outcome await(AppRef app) {
        Duration interval = argo.config().pollInterval();
        long maxPolls = Math.max(1, argo.config().waitTimeout().toMillis() / Math.max(1, interval.toMillis())) + 1;
        Application last = null;
        ArgoError lastError = null;
        int errorsInRow = 0;
        boolean operationDone = false;
        for (int poll = 1; poll <= maxPolls; poll++) {
            ArgoResult<Application> r = argo.client().getApplication(app);
            if (r.isOk()) {
                errorsInRow = 0;
                last = r.value();
                argo.apps().observe(last);
                OperationState op = last.status().operationState();
                boolean pending = last.operation() != null && !last.operation().isNull();
                if (!operationDone && !pending && op != null && op.finished()) {
                    if (!op.succeeded()) return new Outcome(Kind.FAILED, last, null, poll);
                    operationDone = true;
                }
                if (operationDone && "Healthy".equals(last.health())) return new Outcome(Kind.HEALTHY, last, null, poll);
            } else {
                lastError = r.error();
                // The client already retried; several unreadable answers in a row mean we cannot observe it.
                if (++errorsInRow >= 3 || !r.error().retryable()) {
                    return new Outcome(Kind.UNREADABLE, last, lastError, poll);
                }
            }
            if (poll < maxPolls) {
                try {
                    sleeper.sleep(interval);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new Outcome(Kind.UNREADABLE, last,
                            new ArgoError(ArgoError.Kind.INTERRUPTED, 0, -1, "interrupted while waiting", false), poll);
                }
            }
        }
        return new Outcome(operationDone ? Kind.SUCCEEDED_NOT_HEALTHY : Kind.TIMED_OUT, last, lastError, (int) maxPolls);
    }
}

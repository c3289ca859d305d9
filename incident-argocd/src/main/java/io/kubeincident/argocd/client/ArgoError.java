package io.kubeincident.argocd.client;

/**
 * Why an Argo CD call failed, from the grpc-gateway error body {@code {error, code, message}} and the
 * HTTP status, or from the transport.
 *
 * @param kind       what went wrong, for callers to branch on
 * @param httpStatus the HTTP status, 0 when no answer came
 * @param grpcCode   the gRPC code from the body, -1 when absent
 * @param message    Argo CD's message (or the transport's), never blank
 * @param retryable  whether trying again later may help
 */
public record ArgoError(Kind kind, int httpStatus, int grpcCode, String message, boolean retryable) {

    public enum Kind {
        /** 400 FailedPrecondition "another operation is already in progress". */
        OPERATION_IN_PROGRESS,
        /** 400 "rollback cannot be initiated when auto-sync is enabled". */
        AUTO_SYNC_ENABLED,
        /** Another 400 FailedPrecondition. */
        FAILED_PRECONDITION,
        /** Another 400 (InvalidArgument and the like). */
        BAD_REQUEST,
        /** 401: bad credentials, or an expired or revoked token. */
        UNAUTHENTICATED,
        /** 403 "blocked by sync window": an Argo CD sync window forbids syncing now. */
        SYNC_WINDOW_BLOCKED,
        /** Another 403: the account lacks the RBAC permission. */
        PERMISSION_DENIED,
        /** 404 (or an app this account may not see: Argo CD answers 403 or 404 alike). */
        NOT_FOUND,
        /** 409 AlreadyExists / Aborted (e.g. a concurrent update of the application). */
        CONFLICT,
        /** 415: the request lacked {@code Content-Type: application/json}. */
        UNSUPPORTED_MEDIA_TYPE,
        /** 429. */
        RATE_LIMITED,
        /** 5xx. */
        SERVER_ERROR,
        /** No answer within the configured timeout. */
        TIMEOUT,
        /** The connection could not be made or broke. */
        CONNECTION,
        /** TLS handshake failed (unknown CA, wrong host name). */
        TLS,
        /** An answer that is not what the API describes. */
        INVALID_RESPONSE,
        /** Another HTTP status. */
        HTTP,
        /** The calling thread was interrupted. */
        INTERRUPTED
    }

    public ArgoError {
        if (kind == null) throw new IllegalArgumentException("kind is required");
        message = message == null || message.isBlank() ? kind.name().toLowerCase().replace('_', ' ') : message;
    }

    /** One line for logs and action results: {@code HTTP 400 (code 9): another operation is already in progress}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (httpStatus > 0) sb.append("HTTP ").append(httpStatus);
        else sb.append(kind.name().toLowerCase().replace('_', ' '));
        if (grpcCode >= 0) sb.append(" (code ").append(grpcCode).append(')');
        return sb.append(": ").append(message).toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}

package io.kubeincident.core.action;

import io.kubeincident.api.Permission;
import io.kubernetes.client.openapi.ApiException;

import java.io.IOException;

/**
 * A Kubernetes API call that failed, classified by what the caller should do about it. Used for control
 * flow inside actions only: {@link KubeAction#execute} turns it into an {@code ActionResult}, it never
 * escapes an action.
 */
public final class KubeCallException extends Exception {

    /** What kind of failure, from the HTTP status (or the transport error). */
    public enum Kind {
        /** 404: the object is gone. */
        NOT_FOUND,
        /** 409: stale resourceVersion or already exists; re-read and retry. */
        CONFLICT,
        /** 403: RBAC does not allow the call. */
        FORBIDDEN,
        /** 401: credentials rejected. */
        UNAUTHORIZED,
        /** 429: throttled, or an eviction blocked by a PodDisruptionBudget. */
        TOO_MANY_REQUESTS,
        /** 5xx, timeouts, connection errors: trying again may help. */
        TRANSIENT,
        /** 400/422: the request itself is wrong; trying again will not help. */
        INVALID,
        /** Anything else (interrupted, unexpected status). */
        OTHER
    }

    private final Kind kind;
    private final int status;
    private final Permission permission;
    private final String object;

    public KubeCallException(Kind kind, int status, Permission permission, String object, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.permission = permission;
        this.object = object;
    }

    /** Classifies a client-java failure of the call {@code permission} on {@code object}. */
    public static KubeCallException of(ApiException e, Permission permission, String object) {
        int code = e.getCode();
        Kind kind = kindOf(code, e.getCause());
        String detail = code == 0
                ? (e.getCause() != null ? e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage() : e.getMessage())
                : "HTTP " + code + reasonFromBody(e.getResponseBody());
        return new KubeCallException(kind, code, permission, object,
                permission + " on " + object + " failed: " + detail, e);
    }

    static Kind kindOf(int code, Throwable cause) {
        return switch (code) {
            case 404, 410 -> Kind.NOT_FOUND;
            case 409 -> Kind.CONFLICT;
            case 403 -> Kind.FORBIDDEN;
            case 401 -> Kind.UNAUTHORIZED;
            case 429 -> Kind.TOO_MANY_REQUESTS;
            case 400, 415, 422 -> Kind.INVALID;
            case 0 -> cause instanceof IOException ? Kind.TRANSIENT : Kind.OTHER;
            default -> code >= 500 ? Kind.TRANSIENT : Kind.OTHER;
        };
    }

    /** The {@code message} of a Status body, kept short; bodies never carry Secret data (we never send it back). */
    private static String reasonFromBody(String body) {
        if (body == null || body.isBlank()) return "";
        int i = body.indexOf("\"message\"");
        if (i < 0) return "";
        int start = body.indexOf('"', body.indexOf(':', i) + 1);
        if (start < 0) return "";
        int end = start + 1;
        while (end < body.length() && (body.charAt(end) != '"' || body.charAt(end - 1) == '\\')) end++;
        String msg = body.substring(start + 1, Math.min(end, body.length()));
        return msg.isBlank() ? "" : ": " + (msg.length() > 300 ? msg.substring(0, 300) + "..." : msg);
    }

    public Kind kind() {
        return kind;
    }

    /** HTTP status, 0 for transport errors. */
    public int status() {
        return status;
    }

    /** The RBAC permission the failed call needed. */
    public Permission permission() {
        return permission;
    }

    /** The object the call was about, {@code Kind/namespace/name}. */
    public String object() {
        return object;
    }

    public boolean is(Kind k) {
        return kind == k;
    }
}

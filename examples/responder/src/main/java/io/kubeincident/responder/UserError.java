package io.kubeincident.responder;

/**
 * A mistake the user can fix (a bad option, configuration or kubeconfig, an unreachable cluster, a
 * missing permission): printed as one clear message without a stack trace, with its exit code.
 */
public final class UserError extends RuntimeException {
    private final int exitCode;

    public UserError(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public static UserError usage(String message) {
        return new UserError(ExitCodes.USAGE, message);
    }

    public static UserError cluster(String message) {
        return new UserError(ExitCodes.CLUSTER, message);
    }

    public int exitCode() {
        return exitCode;
    }
}

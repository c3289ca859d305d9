package io.kubeincident.responder;

/** The responder's exit codes; scripts rely on them, so they never change meaning. */
public final class ExitCodes {
    /** Ran as intended; for {@code scan}: no incident found. */
    public static final int OK = 0;
    /** {@code scan} found at least one incident. */
    public static final int INCIDENTS_FOUND = 1;
    /** A usage or configuration error: bad option, invalid configuration file, bad kubeconfig. */
    public static final int USAGE = 2;
    /** The cluster could not be used: unreachable, credentials rejected, permission missing. */
    public static final int CLUSTER = 3;
    /** {@code demo} ran but did not show what it should (an incident was not handled as expected). */
    public static final int DEMO_FAILED = 4;
    /** A bug: an unexpected exception (printed with its stack trace). */
    public static final int INTERNAL = 70;

    private ExitCodes() {
    }
}

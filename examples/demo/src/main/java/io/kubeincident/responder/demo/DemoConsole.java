package io.kubeincident.responder.demo;

import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.responder.run.Responder;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code demo --ui}: the responder, as {@code run} starts it (continuous engine, HTTP, web console), on the
 * demo's simulated cluster, bound to loopback only, with a one-off API token unless one is given.
 */
public final class DemoConsole {
    private DemoConsole() {
    }

    /**
     * @param port  0 for any free port
     * @param token the API token, or {@code null} for a fresh random one (read it from the settings)
     */
    public static Responder start(DemoCluster cluster, ResponderConfig config, int port, String token) {
        Responder.Settings settings = new Responder.Settings("kube-incident", "kube-incident-demo", "demo", false,
                "127.0.0.1", port, token == null ? newToken() : token, Duration.ofHours(1), List.of(), () -> config);
        return new Responder(settings, config, cluster.apiClient());
    }

    public static String newToken() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}

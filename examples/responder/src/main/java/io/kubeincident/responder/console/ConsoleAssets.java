package io.kubeincident.responder.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * The console's static files, kept in the jar ({@code /console/} on the class path): a fixed list, nothing
 * else is served. They hold no cluster data (the page asks for the token and reads the API), so they are
 * served without one.
 */
public final class ConsoleAssets {
    /** The headers every console page carries: no inline script, no framing, nothing from elsewhere. */
    public static final Map<String, String> HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                    + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer",
            "Cache-Control", "no-cache");

    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    /** One file: its bytes and content type. */
    public record Asset(byte[] body, String contentType) {
    }

    private ConsoleAssets() {
    }

    /** The file for a request path under {@code /console/} ({@code /console/} itself is the page). */
    public static Optional<Asset> find(String path) {
        String name = path.equals("/console") || path.equals("/console/") ? "index.html"
                : path.startsWith("/console/") ? path.substring("/console/".length()) : null;
        if (name == null || !FILES.containsKey(name)) return Optional.empty();
        try (InputStream in = ConsoleAssets.class.getResourceAsStream("/console/" + name)) {
            if (in == null) return Optional.empty();
            return Optional.of(new Asset(in.readAllBytes(), FILES.get(name)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

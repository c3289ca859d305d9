package io.kubeincident.testkit.prometheus;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A loopback {@code /metrics} endpoint serving whatever text exposition the test sets, for Prometheus to scrape.
 */
public final class TextExporter implements AutoCloseable {
    private final HttpServer server;
    private volatile String text = "";

    public TextExporter() throws IOException {
        server = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/metrics", ex -> {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
    }

    /** Replaces the exposition served from now on. */
    public void set(String exposition) {
        this.text = exposition;
    }

    /** {@code 127.0.0.1:port}, a scrape target. */
    public String target() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

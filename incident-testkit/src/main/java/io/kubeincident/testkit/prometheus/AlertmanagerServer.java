package io.kubeincident.testkit.prometheus;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Debian's Alertmanager ({@code /usr/bin/prometheus-alertmanager}, 0.25) on a free loopback port, clustering off,
 * routing every alert to one webhook receiver with short grouping waits ({@code group_wait} and
 * {@code group_interval} 1 s) and {@code send_resolved}, so that a test sees Alertmanager's own notifications.
 */
public final class AlertmanagerServer extends LocalProcess {
    public static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");

    private AlertmanagerServer(List<String> command, int port, Path log) throws IOException {
        super(command, port, log, "-/ready", Duration.ofSeconds(30));
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /**
     * @param webhook     the receiver's URL
     * @param bearerToken sent as {@code Authorization: Bearer ...}, or {@code null}
     */
    public static AlertmanagerServer start(Path dir, URI webhook, String bearerToken) throws IOException {
        Files.createDirectories(dir);
        String auth = bearerToken == null ? "" : "        http_config:\n          authorization:\n            type: Bearer\n"
                + "            credentials: '" + bearerToken + "'\n";
        String config = """
                route:
                  receiver: kube-incident
                  group_by: ['alertname', 'namespace', 'pod']
                  group_wait: 1s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: kube-incident
                    webhook_configs:
                      - url: '%s'
                        send_resolved: true
                        max_alerts: 0
                %s""".formatted(webhook, auth);
        Path file = dir.resolve("alertmanager.yml");
        Files.writeString(file, config);
        int port = freePort();
        return new AlertmanagerServer(List.of(BINARY.toString(), "--config.file=" + file,
                "--storage.path=" + Files.createDirectories(dir.resolve("am-data")), "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=", "--log.level=warn"), port, dir.resolve("alertmanager.log"));
    }

    /** Posts alerts to Alertmanager's own API ({@code POST /api/v2/alerts}); returns the status code. */
    public int postAlerts(String jsonArray) throws IOException {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(url().resolve("api/v2/alerts"))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(jsonArray)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IOException("Alertmanager refused the alerts: HTTP " + r.statusCode() + " " + r.body());
            return r.statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }
}

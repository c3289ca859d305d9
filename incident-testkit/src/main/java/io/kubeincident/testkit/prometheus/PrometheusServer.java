package io.kubeincident.testkit.prometheus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's Prometheus ({@code /usr/bin/prometheus}, 2.42) on a free loopback port with a generated configuration in a
 * directory of the test's: optionally scraping loopback targets every second, optionally with history backfilled by
 * {@code promtool tsdb create-blocks-from openmetrics} before it starts.
 *
 * <pre>
 * try (PrometheusServer prom = PrometheusServer.builder(tempDir).scrape("127.0.0.1:" + exporter.port())
 *         .backfill(openMetricsText).start()) {
 *     prom.url();  // http://127.0.0.1:PORT/
 * }
 * </pre>
 */
public final class PrometheusServer extends LocalProcess {
    public static final Path BINARY = Path.of("/usr/bin/prometheus");
    public static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private PrometheusServer(List<String> command, int port, Path log) throws IOException {
        super(command, port, log, "-/ready", Duration.ofSeconds(30));
    }

    /** True when the binaries are installed (.ci/run installs them). */
    public static boolean available() {
        return Files.isExecutable(BINARY) && Files.isExecutable(PROMTOOL);
    }

    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    public static final class Builder {
        private final Path dir;
        private final List<String> targets = new ArrayList<>();
        private String backfill;
        private String rules;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** A {@code host:port} to scrape every second ({@code /metrics}). */
        public Builder scrape(String target) {
            targets.add(target);
            return this;
        }

        /** OpenMetrics text (ending in {@code # EOF}, timestamps in seconds) written into the TSDB before start. */
        public Builder backfill(String openMetrics) {
            this.backfill = openMetrics;
            return this;
        }

        /** A Prometheus rule file's content (recording or alerting rules), evaluated every second. */
        public Builder rules(String ruleFileYaml) {
            this.rules = ruleFileYaml;
            return this;
        }

        public PrometheusServer start() throws IOException {
            Path data = Files.createDirectories(dir.resolve("prometheus-data"));
            if (backfill != null) {
                Path om = dir.resolve("backfill.om");
                Files.writeString(om, backfill);
                run(List.of(PROMTOOL.toString(), "tsdb", "create-blocks-from", "openmetrics", om.toString(), data.toString()),
                        dir.resolve("promtool.log"), Duration.ofSeconds(120));
            }
            StringBuilder cfg = new StringBuilder("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n");
            if (rules != null) {
                Files.writeString(dir.resolve("rules.yml"), rules);
                cfg.append("rule_files: [").append(dir.resolve("rules.yml")).append("]\n");
            }
            if (!targets.isEmpty()) {
                cfg.append("scrape_configs:\n  - job_name: test\n    static_configs:\n      - targets: [");
                cfg.append(String.join(", ", targets.stream().map(t -> "'" + t + "'").toList())).append("]\n");
            }
            String text = cfg.toString();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, text);
            int port = freePort();
            return new PrometheusServer(List.of(BINARY.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + data, "--storage.tsdb.retention.time=60d",
                    "--web.listen-address=127.0.0.1:" + port, "--log.level=warn", "--web.enable-lifecycle"),
                    port, dir.resolve("prometheus.log"));
        }
    }
}

package io.kubeincident.responder;

import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.responder.kube.KubeConnection;
import io.kubeincident.responder.logging.LogSetup;
import io.kubeincident.responder.run.Responder;
import io.kubernetes.client.openapi.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/** Watches a cluster continuously and acts, with leader election, health, metrics and the approval API. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Watch a cluster continuously and respond to incidents (leader-elected; health, metrics, API).",
                "Stops gracefully on SIGTERM."})
final class RunCommand implements Callable<Integer> {
    static final Path SA_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    @ParentCommand
    Main main;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
            description = "namespace to watch and act in (repeatable; default: monitoring.namespaces, else all)")
    List<String> namespaces = new ArrayList<>();

    @Option(names = "--lease-namespace", paramLabel = "NS",
            description = "the responder's own namespace: holds the Lease, never acted on "
                    + "(default: $POD_NAMESPACE, the service account's namespace, else kube-incident)")
    String namespace;

    @Option(names = "--identity", description = "this replica's identity for the Lease (default: $POD_NAME, else the host name)")
    String identity;

    @Option(names = "--lease-name", description = "Lease name (default: ${DEFAULT-VALUE})")
    String leaseName = "kube-incident-responder";

    @Option(names = "--no-leader-election", description = "act without a Lease (one replica only)")
    boolean noLeaderElection;

    @Option(names = "--http-port", description = "health, metrics and API port (default: http.port, else 8080)")
    Integer httpPort;

    @Option(names = "--bind", description = "HTTP bind address (default: ${DEFAULT-VALUE})")
    String bind = "0.0.0.0";

    @Option(names = "--api-token-file", paramLabel = "FILE",
            description = "bearer token for the API (default: $RESPONDER_API_TOKEN; none: the API is off)")
    Path apiTokenFile;

    @Option(names = "--log-format", description = "json or text (default: ${DEFAULT-VALUE})")
    LogSetup.Format logFormat = LogSetup.Format.JSON;

    @Option(names = "--reload-interval", description = "how often to look for configuration changes (default: ${DEFAULT-VALUE})")
    String reloadInterval = "10s";

    @Override
    public Integer call() throws InterruptedException {
        String ns = namespace != null ? namespace : defaultNamespace(main.env);
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("runtime.namespace", ns);
        if (httpPort != null) overrides.put("http.port", String.valueOf(httpPort));
        if (!namespaces.isEmpty()) overrides.put("monitoring.namespaces", String.join(",", namespaces));
        ResponderConfig config = configOptions.load(main.env, overrides);
        LogSetup.configure(logFormat, config.logLevel(), main.out);
        Duration reload;
        try {
            reload = io.kubeincident.api.ConfigView.parseDuration("--reload-interval", reloadInterval);
        } catch (IllegalArgumentException e) {
            throw UserError.usage(e.getMessage());
        }
        String token = token();
        ApiClient client = KubeConnection.connect(cluster.target(), main.env);
        KubeConnection.preflight(client, config.view().getList("monitoring.namespaces", List.of()));
        List<Path> watched = new ArrayList<>();
        if (config.file() != null) watched.add(config.file());
        if (config.promptsFile() != null) watched.add(config.promptsFile());
        Responder.Settings settings = new Responder.Settings(ns, leaseName, identity(), !noLeaderElection, bind,
                config.httpPort(), token, reload, watched, () -> configOptions.load(main.env, overrides));
        Responder responder = new Responder(settings, config, client);
        stopOnSignals(responder);
        responder.awaitStop();
        return ExitCodes.OK;
    }

    /**
     * SIGTERM (what Kubernetes sends) and SIGINT stop the responder in order (engine, then the Lease, then
     * HTTP) and {@link #call()} returns, so the process exits 0. Done with a signal handler rather than a
     * shutdown hook alone: once the JVM runs its hooks, the exit status is the signal's (143), whatever
     * the hook does. The hook stays for other ways the JVM ends.
     */
    private static void stopOnSignals(Responder responder) {
        Runtime.getRuntime().addShutdownHook(new Thread(responder::close, "kube-incident-shutdown"));
        for (String name : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name),
                        sig -> new Thread(responder::close, "kube-incident-sig" + name.toLowerCase()).start());
            } catch (IllegalArgumentException | LinkageError e) {
                // a JVM without this signal or without jdk.unsupported: the shutdown hook still closes in order
            }
        }
    }

    private String token() {
        if (apiTokenFile != null) {
            try {
                String t = Files.readString(apiTokenFile).trim();
                if (t.isEmpty()) throw UserError.usage("--api-token-file " + apiTokenFile + " is empty");
                return t;
            } catch (IOException e) {
                throw UserError.usage("--api-token-file " + apiTokenFile + " cannot be read: " + e.getMessage());
            }
        }
        String t = main.env.get("RESPONDER_API_TOKEN");
        return t == null || t.isBlank() ? null : t.trim();
    }

    private String identity() {
        if (identity != null && !identity.isBlank()) return identity;
        String pod = main.env.get("POD_NAME");
        if (pod != null && !pod.isBlank()) return pod;
        try {
            return InetAddress.getLocalHost().getHostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        } catch (IOException e) {
            return "responder-" + UUID.randomUUID();
        }
    }

    static String defaultNamespace(Map<String, String> env) {
        String ns = env.get("POD_NAMESPACE");
        if (ns != null && !ns.isBlank()) return ns.trim();
        try {
            if (Files.isReadable(SA_NAMESPACE)) return Files.readString(SA_NAMESPACE).trim();
        } catch (IOException ignored) {
            // fall through to the default
        }
        return "kube-incident";
    }
}

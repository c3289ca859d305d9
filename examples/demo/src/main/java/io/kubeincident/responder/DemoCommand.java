package io.kubeincident.responder;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.core.access.EngineRbac;
import io.kubeincident.responder.demo.DemoCluster;
import io.kubeincident.responder.demo.DemoConsole;
import io.kubeincident.responder.demo.Narrator;
import io.kubeincident.responder.logging.LogSetup;
import io.kubeincident.responder.run.Responder;
import io.kubeincident.spi.Analyzer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The whole mission on an embedded simulated cluster, with no cluster and no API key: the seed's three
 * test incidents and a bad rollout are created, the engine (rules analyzer; OpenAI too when
 * {@code OPENAI_API_KEY} is set) detects, diagnoses, decides, acts and verifies, and the story is told as
 * it happens. Exit code 0 when it ran as intended, 4 when something it should show did not happen.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the responder on an embedded simulated cluster with four incidents (no cluster, no API key).",
                "Exit code: 0 ran as intended, 4 it did not.",
                "With --ui the simulated cluster keeps running and the web console is served on 127.0.0.1 until Ctrl-C."})
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(names = "--timeout", description = "give up after this long (default: ${DEFAULT-VALUE})")
    String timeout = "45s";

    @Option(names = "--ui", description = "keep the simulated cluster running and serve the web console (Ctrl-C stops)")
    boolean ui;

    @Option(names = "--port", description = "the web console's port with --ui (default: ${DEFAULT-VALUE}; 0: any free port)")
    int port = 8080;

    @Override
    public Integer call() throws ApiException, InterruptedException {
        PrintStream out = main.out;
        Duration limit;
        try {
            limit = io.kubeincident.api.ConfigView.parseDuration("--timeout", timeout);
        } catch (IllegalArgumentException e) {
            throw UserError.usage(e.getMessage());
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("audit.file", "");
        if (ui) return console(overrides);
        ResponderConfig config = configOptions.load(main.env, overrides);
        LogSetup.configure(LogSetup.Format.TEXT, "ERROR", main.err);

        out.println("kube-incident demo: a simulated cluster on loopback, no real cluster and no API key needed");
        long started = System.nanoTime();
        try (DemoCluster cluster = DemoCluster.start()) {
            out.println("cluster    " + cluster.baseUrl() + " (loopback API server + controller emulator)");
            out.println();
            out.println("Test incidents created:");
            for (DemoCluster.Seeded s : DemoCluster.SEEDED) {
                out.printf("  %-30s %s%n", s.key(), s.howMade());
            }
            Narrator narrator = new Narrator(out);
            // The engine runs as the responder's service account with exactly what `responder rbac` prints.
            String rbac;
            try (IncidentEngine probe = EngineFactory.build(config, null, b -> b.logAudit(false))) {
                rbac = EngineRbac.yaml(EngineRbac.clusterRules(probe, config.view()), EngineRbac.namespaceRules(),
                        SERVICE_ACCOUNT, NAMESPACE) + "---\n" + EngineRbac.bindingsYaml(SERVICE_ACCOUNT, NAMESPACE);
            }
            ApiClient client = cluster.underRbac(rbac, NAMESPACE, SERVICE_ACCOUNT);
            try (IncidentEngine engine = EngineFactory.build(config, client,
                    b -> b.listener(narrator).auditSink(narrator).logAudit(false))) {
                out.println();
                out.printf("engine     mode %s; execute at confidence >= %.2f, ask for approval >= %.2f%n",
                        engine.config().mode().id(), engine.config().confidenceThreshold(),
                        engine.config().approvalThreshold());
                List<String> analyzers = engine.analyzers().stream().map(Analyzer::id).toList();
                out.println("analyzers  " + String.join(", ", analyzers)
                        + (analyzers.contains("openai") ? "" : "  (set OPENAI_API_KEY to add the OpenAI analyzer)"));
                out.println("actions    " + String.join(", ", engine.actions().keySet()));
                out.println("rbac       runs as system:serviceaccount:" + NAMESPACE + ":" + SERVICE_ACCOUNT
                        + " with what `responder rbac` prints for this configuration (enforced)");
                long deadline = System.nanoTime() + limit.toNanos();
                Set<String> detectable = new HashSet<>();
                engine.detectors().forEach(d -> detectable.addAll(d.incidentTypes()));
                List<DemoCluster.Seeded> expected = new ArrayList<>();
                for (DemoCluster.Seeded s : DemoCluster.SEEDED) {
                    if (s.types().stream().anyMatch(detectable::contains)) expected.add(s);
                    else out.println("note       no detector for " + String.join("/", s.types()) + " is registered: "
                            + s.key() + " is not expected to be seen");
                }
                while (System.nanoTime() < deadline) {
                    engine.runOnce();
                    if (settled(narrator, expected)) break;
                    // Nothing has happened for a while and nothing is being verified: it will not change any more.
                    if (narrator.quietFor().compareTo(QUIET) > 0 && !verifying(narrator)) break;
                    Thread.sleep(300);
                }
                narrator.summary();
                List<String> missing = missing(narrator, expected);
                if (engine.actions().containsKey("rollback-deployment")) missing.addAll(rolledBack(narrator));
                cluster.rbacDecisions().stream().filter(d -> !d.allowed())
                        .forEach(d -> missing.add("the API server refused a request `responder rbac` does not grant: " + d));
                out.println();
                if (missing.isEmpty()) {
                    out.printf("The demo ran as intended in %.1f s: %d incidents detected, diagnosed and decided.%n",
                            (System.nanoTime() - started) / 1e9, narrator.stories().size());
                    return ExitCodes.OK;
                }
                out.println("The demo did not run as intended:");
                missing.forEach(m -> out.println("  - " + m));
                return ExitCodes.DEMO_FAILED;
            }
        }
    }

    private static final Duration QUIET = Duration.ofSeconds(8);
    private static final String NAMESPACE = "kube-incident";
    private static final String SERVICE_ACCOUNT = "kube-incident-responder";

    /** {@code --ui}: the responder with its console on the simulated cluster, until the process is stopped. */
    private int console(Map<String, String> overrides) throws ApiException, InterruptedException {
        if (port < 0 || port > 65535) throw UserError.usage("--port must be 0..65535, was " + port);
        overrides.put("runtime.namespace", "kube-incident");
        overrides.put("http.port", String.valueOf(port));
        ResponderConfig config = configOptions.load(main.env, overrides);
        LogSetup.configure(LogSetup.Format.TEXT, "WARN", main.err);
        PrintStream out = main.out;
        out.println("kube-incident demo with the web console: a simulated cluster on loopback");
        DemoCluster cluster = DemoCluster.start();
        String given = main.env.get("RESPONDER_API_TOKEN");
        String token = given == null || given.isBlank() ? DemoConsole.newToken() : given.trim();
        Responder responder;
        try {
            responder = DemoConsole.start(cluster, config, port, token);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            responder.close();
            cluster.close();
        }, "kube-incident-demo-shutdown"));
        out.println("cluster    " + cluster.baseUrl() + " (loopback API server + controller emulator)");
        out.println("console    http://127.0.0.1:" + responder.httpPort() + "/console/");
        out.println("token      " + token + (given == null || given.isBlank() ? "  (one-off; set RESPONDER_API_TOKEN to choose it)" : ""));
        out.println("Open the console, enter the token, and watch the four incidents arrive. Ctrl-C stops.");
        responder.awaitStop();
        return ExitCodes.OK;
    }

    private static boolean verifying(Narrator narrator) {
        return narrator.stories().stream().anyMatch(s -> s.actionApplied && !s.resolved && !s.escalated);
    }

    /** Every seeded incident was analyzed, and every applied action has been verified (resolved or escalated). */
    private static boolean settled(Narrator narrator, List<DemoCluster.Seeded> expected) {
        if (!missingIncidents(narrator, expected).isEmpty()) return false;
        for (Narrator.Story s : narrator.stories()) {
            if (s.actionApplied && !s.resolved && !s.escalated) return false;
        }
        return true;
    }

    private static List<String> missing(Narrator narrator, List<DemoCluster.Seeded> expected) {
        List<String> out = new ArrayList<>(missingIncidents(narrator, expected));
        for (Narrator.Story s : narrator.stories()) {
            if (s.actionApplied && !s.resolved && !s.escalated) {
                out.add("the action on " + s.incident().rootResource().key() + " was not verified in time");
            }
        }
        return out;
    }

    /** With a rollback action in the catalog, the bad rollout must have been rolled back and verified. */
    private static List<String> rolledBack(Narrator narrator) {
        ResourceRef checkout = ResourceRef.of("Deployment", "shop", "checkout");
        boolean done = narrator.stories().stream().anyMatch(s -> s.incident().involves(checkout)
                && s.actions.stream().anyMatch(a -> a.startsWith("rollback-deployment applied")) && s.resolved);
        return done ? List.of() : List.of("the bad rollout of shop/checkout was not rolled back and verified resolved");
    }

    private static List<String> missingIncidents(Narrator narrator, List<DemoCluster.Seeded> expected) {
        List<String> out = new ArrayList<>();
        for (DemoCluster.Seeded seeded : expected) {
            ResourceRef ref = ResourceRef.of(seeded.kind(), seeded.namespace(), seeded.name());
            boolean found = narrator.stories().stream().anyMatch(s -> s.incident().involves(ref));
            if (!found) out.add("no incident was detected for " + seeded.key());
        }
        return out;
    }
}

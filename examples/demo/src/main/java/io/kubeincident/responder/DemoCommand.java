package io.kubeincident.responder;

import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.responder.demo.DemoCluster;
import io.kubeincident.responder.demo.Narrator;
import io.kubeincident.responder.logging.LogSetup;
import io.kubeincident.spi.Analyzer;
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
                "Exit code: 0 ran as intended, 4 it did not."})
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(names = "--timeout", description = "give up after this long (default: ${DEFAULT-VALUE})")
    String timeout = "45s";

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
            try (IncidentEngine engine = EngineFactory.build(config, cluster.apiClient(),
                    b -> b.listener(narrator).auditSink(narrator).logAudit(false))) {
                out.println();
                out.printf("engine     mode %s; execute at confidence >= %.2f, ask for approval >= %.2f%n",
                        engine.config().mode().id(), engine.config().confidenceThreshold(),
                        engine.config().approvalThreshold());
                List<String> analyzers = engine.analyzers().stream().map(Analyzer::id).toList();
                out.println("analyzers  " + String.join(", ", analyzers)
                        + (analyzers.contains("openai") ? "" : "  (set OPENAI_API_KEY to add the OpenAI analyzer)"));
                out.println("actions    " + String.join(", ", engine.actions().keySet()));
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

package io.kubeincident.responder;

import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.responder.kube.KubeConnection;
import io.kubeincident.responder.logging.LogSetup;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * One-shot analysis of a cluster with plans: detects, analyzes and decides, never executes. Exit code 0
 * when no incident was found, 1 when at least one was, 2/3 for errors.
 */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Analyze a cluster once and print incidents with their plans; nothing is ever executed.",
                "Exit code: 0 no incident, 1 incidents found, 2 usage/configuration error, 3 cluster error."})
final class ScanCommand implements Callable<Integer> {
    enum Output { table, json }

    @ParentCommand
    Main main;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
            description = "namespace to scan (repeatable; default: monitoring.namespaces, else all)")
    List<String> namespaces = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "table or json (default: ${DEFAULT-VALUE})")
    Output output = Output.table;

    @Override
    public Integer call() {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (!namespaces.isEmpty()) overrides.put("monitoring.namespaces", String.join(",", namespaces));
        overrides.put("audit.file", "");  // a scan changes nothing, so it leaves no audit file behind
        ResponderConfig config = configOptions.load(main.env, overrides);
        LogSetup.configure(LogSetup.Format.TEXT, config.logLevel(), main.err);
        ApiClient client = KubeConnection.connect(cluster.target(), main.env);
        List<String> scope = config.view().getList("monitoring.namespaces", List.of());
        KubeConnection.preflight(client, scope);
        io.kubeincident.core.access.ForbiddenReads.install(client, io.kubeincident.responder.run.Responder.RBAC_HINT);
        List<IncidentReport> reports;
        try (IncidentEngine engine = EngineFactory.build(config, client, b -> b.logAudit(false))) {
            reports = engine.scan();
        } catch (ApiException e) {
            throw KubeConnection.describe(client, e, null, null, null);
        }
        if (output == Output.json) {
            main.out.println(ReportJson.write(ReportJson.document(reports)));
        } else {
            printTable(reports, main.out);
        }
        return reports.isEmpty() ? ExitCodes.OK : ExitCodes.INCIDENTS_FOUND;
    }

    /** The analyzer that answered, marked with {@code *} when another was asked first and did not answer. */
    static String answeredBy(IncidentReport r) {
        return r.diagnosis().analyzerId() + (ReportJson.fallback(r) != null ? "*" : "");
    }

    static void printTable(List<IncidentReport> reports, PrintStream out) {
        if (reports.isEmpty()) {
            out.println("No incidents found.");
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"#", "TYPE", "SEVERITY", "RESOURCE", "DIAGNOSIS", "BY", "CONF", "PLAN"});
        int n = 0;
        for (IncidentReport r : reports) {
            rows.add(new String[]{String.valueOf(++n), r.incident().type(),
                    r.incident().severity().name().toLowerCase(Locale.ROOT), r.incident().rootResource().key(),
                    r.diagnosis().category(), answeredBy(r), String.format(Locale.ROOT, "%.2f", r.diagnosis().confidence()),
                    planSummary(r.plan())});
        }
        Text.table(rows, out);
        out.println();
        n = 0;
        for (IncidentReport r : reports) {
            out.printf("%d. %s %s%n", ++n, r.incident().type(), r.incident().rootResource().key());
            out.printf("   root cause: %s (%s, confidence %.2f)%n", r.diagnosis().rootCause(), r.diagnosis().analyzerId(),
                    r.diagnosis().confidence());
            String fallback = ReportJson.fallback(r);
            if (fallback != null) out.printf("   answered by %s because %s%n", r.diagnosis().analyzerId(), fallback);
            for (PlannedAction pa : r.plan()) {
                out.printf("   plan: %s %s (confidence %.2f), decision: %s%n", pa.action().actionType(), pa.action().target().key(),
                        pa.action().confidence(), pa.decision().id());
                for (String reason : pa.reasons()) out.println("         - " + reason);
            }
            if (r.plan().isEmpty()) out.println("   plan: none (no automatic action proposed)");
            for (String problem : r.problems()) out.println("   incomplete: " + problem);
        }
        out.printf("%n%d incident%s found; nothing was executed (scan never acts).%n", reports.size(),
                reports.size() == 1 ? "" : "s");
        if (reports.stream().anyMatch(r -> ReportJson.fallback(r) != null)) {
            out.println("BY *: an analyzer asked before this one did not answer; the reason is under the incident.");
        }
    }

    private static String planSummary(List<PlannedAction> plan) {
        if (plan.isEmpty()) return "-";
        List<String> parts = new ArrayList<>();
        for (PlannedAction pa : plan) parts.add(pa.action().actionType() + ":" + pa.decision().id());
        return String.join(", ", parts);
    }
}

package io.kubeincident.responder;

import io.kubeincident.core.access.EngineRbac;

import io.kubeincident.core.IncidentEngine;
import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.responder.logging.LogSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.Map;
import java.util.concurrent.Callable;

/** Prints the ClusterRole and Role the configured responder needs, derived from its actions and detectors. */
@Command(name = "rbac", mixinStandardHelpOptions = true,
        description = "Print the minimal ClusterRole and Role for this configuration (enabled actions, watched kinds).")
final class RbacCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(names = "--name", description = "role name (default: ${DEFAULT-VALUE})")
    String name = "kube-incident-responder";

    @Option(names = "--namespace", description = "the responder's namespace (default: ${DEFAULT-VALUE})")
    String namespace = "kube-incident";

    @Override
    public Integer call() {
        ResponderConfig config = configOptions.load(main.env, Map.of("audit.file", ""));
        LogSetup.configure(LogSetup.Format.TEXT, "WARN", main.err);
        try (IncidentEngine engine = EngineFactory.build(config, null, b -> b.logAudit(false))) {
            main.out.print(EngineRbac.yaml(EngineRbac.clusterRules(engine, config.view()), EngineRbac.namespaceRules(), name, namespace));
        }
        return ExitCodes.OK;
    }
}

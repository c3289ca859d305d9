package io.kubeincident.responder;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** The whole mission on an embedded simulated cluster: no cluster, no API key. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the responder against an embedded simulated cluster with four incidents.")
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Override
    public Integer call() {
        throw UserError.usage("demo: the simulated cluster is not assembled yet");
    }
}

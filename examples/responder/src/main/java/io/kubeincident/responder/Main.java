package io.kubeincident.responder;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.io.PrintWriter;
import java.util.Map;

/**
 * The responder's command line: {@code demo}, {@code run}, {@code scan} and {@code rbac}. User mistakes
 * print one clear message on stderr and exit with a non-zero code ({@link ExitCodes}); only bugs print a
 * stack trace.
 */
@Command(name = "responder", mixinStandardHelpOptions = true, version = "kube-incident responder 0.1.0",
        description = "Kubernetes incident response: detect, analyze, plan, gate, execute, verify.",
        subcommands = {DemoCommand.class, RunCommand.class, ScanCommand.class, RbacCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    Main(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    public static void main(String[] args) {
        // UTF-8 whatever the locale (a minimal image has none): the output uses a few non-ASCII symbols.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.setOut(out);
        System.setErr(err);
        System.exit(execute(args, out, err, System.getenv()));
    }

    /** Runs one command line and returns its exit code (for tests and hosts). */
    public static int execute(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        CommandLine cmd = new CommandLine(new Main(out, err, env));
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        // A bad option or value: one line and where to read more, not the whole usage.
        cmd.setParameterExceptionHandler((ex, given) -> {
            err.println("error: " + ex.getMessage().lines().findFirst().orElse("invalid command line"));
            err.println("see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
            return ExitCodes.USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof UserError u) {
                err.println("error: " + u.getMessage());
                return u.exitCode();
            }
            err.println("error: unexpected failure (a bug; please report it with this trace):");
            ex.printStackTrace(err);
            return ExitCodes.INTERNAL;
        });
        return cmd.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(out);
    }
}

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
 * The responder's command line: {@code run}, {@code scan} and {@code rbac}, and {@code demo} in the demo jar. User mistakes
 * print one clear message on stderr and exit with a non-zero code ({@link ExitCodes}); only bugs print a
 * stack trace.
 */
@Command(name = "responder", mixinStandardHelpOptions = true, version = "kube-incident responder 0.1.0",
        description = "Kubernetes incident response: detect, analyze, plan, gate, execute, verify.",
        subcommands = {RunCommand.class, ScanCommand.class, RbacCommand.class,
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
        addDemo(cmd);
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

    /** Where the demo lives: its own jar, with the test kit's simulated cluster, not in the runtime jar. */
    static final String DEMO_JAR = "examples/demo/target/demo.jar";

    /**
     * {@code demo} when the demo jar is on the class path; otherwise a {@code demo} that says where it is,
     * so that the runtime jar and image stay free of the test kit.
     */
    private static void addDemo(CommandLine cmd) {
        try {
            Class<?> demo = Class.forName("io.kubeincident.responder.DemoCommand", false, Main.class.getClassLoader());
            cmd.addSubcommand("demo", demo);
        } catch (ClassNotFoundException e) {
            cmd.addSubcommand("demo", new DemoElsewhere());
        }
    }

    @Command(name = "demo", description = "The demo is its own jar: java -jar " + DEMO_JAR + " demo")
    static final class DemoElsewhere implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Unmatched
        java.util.List<String> ignored;

        @Override
        public Integer call() {
            throw UserError.usage("the demo is not part of the runtime jar; build it and run: java -jar " + DEMO_JAR + " demo");
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(out);
    }
}

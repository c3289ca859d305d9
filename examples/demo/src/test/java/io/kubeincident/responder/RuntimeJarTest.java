package io.kubeincident.responder;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The production artifact carries no test kit, fake API server or demo: the runtime jar the responder
 * module packages (before this module in the reactor) holds the responder and the library, and nothing
 * the demo needs. Run by {@code mvn verify}; a build that stops before {@code package} has no jar to look at.
 */
class RuntimeJarTest {

    private static final List<String> NOT_IN_PRODUCTION = List.of(
            "io/kubeincident/testkit/",                 // the test kit and its loopback API server
            "io/fabric8/kubernetes/client/server/mock/", // the mock API server it wraps
            "okhttp3/mockwebserver/",
            "com/github/tomakehurst/wiremock/",
            "io/kubeincident/responder/demo/",           // the demo's simulated cluster and narrator
            "io/kubeincident/responder/DemoCommand");

    @Test
    void theRuntimeJarHasNoTestKitAndNoDemo() throws IOException {
        Path jar = Path.of(System.getProperty("runtime.jar", "../responder/target/responder.jar"));
        assumeTrue(Files.isRegularFile(jar), jar + " is built by 'package' (mvn -B verify)");
        try (JarFile f = new JarFile(jar.toFile())) {
            List<String> offending = f.stream().map(JarEntry::getName)
                    .filter(n -> NOT_IN_PRODUCTION.stream().anyMatch(n::startsWith)).limit(10).toList();
            assertEquals(List.of(), offending, "test or demo classes in " + jar);
            assertTrue(f.getEntry("io/kubeincident/responder/Main.class") != null, "the runtime itself is there");
            assertTrue(f.getEntry("io/kubeincident/core/IncidentEngine.class") != null, "the engine is there");
        }
    }

    @Test
    void theDemoJarRunsTheDemo() {
        // in this module the demo is on the class path, so the responder's command line offers it
        Cli r = Cli.run("demo", "--help");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("simulated cluster"), r.out());
    }
}

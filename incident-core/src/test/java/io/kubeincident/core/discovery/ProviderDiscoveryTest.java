package io.kubeincident.core.discovery;

import io.kubeincident.api.ConfigView;
import io.kubeincident.core.exec.EngineContexts;
import io.kubeincident.core.monitor.ObjectIndex;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.spi.OutcomeHistory;
import io.kubeincident.spi.ProviderContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProviderDiscoveryTest {
    private final ProviderContext ctx = new EngineContexts.Provider(ConfigView.empty(), Optional.empty(),
            Clock.systemUTC(), () -> new ObjectIndex(List.of()), OutcomeHistory.none());

    public static final class Throwing implements DetectorProvider {
        public Detector create(ProviderContext context) {
            throw new IllegalStateException("bad config for this detector");
        }
    }

    @Test
    void aMissingProviderClassIsReportedAndTheRestStillLoad(@TempDir Path dir) throws IOException {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(DetectorProvider.class.getName()),
                "com.example.DoesNotExist\n" + io.kubeincident.core.detect.CrashLoopDetector.Provider.class.getName() + "\n"
                        + Throwing.class.getName() + "\n");
        List<String> problems = new ArrayList<>();
        try (URLClassLoader loader = new URLClassLoader(new URL[]{dir.toUri().toURL()}, getClass().getClassLoader()) {
            // Only this folder's service files: hide the parent's so the test sees exactly three entries.
            @Override
            public java.util.Enumeration<URL> getResources(String name) throws IOException {
                return findResources(name);
            }
        }) {
            List<Detector> found = ProviderDiscovery.load(DetectorProvider.class, loader, ctx, DetectorProvider::enabled,
                    DetectorProvider::create, (type, provider, problem) -> problems.add(provider + ": " + problem));
            assertEquals(List.of("crash-loop"), found.stream().map(Detector::id).toList());
        }
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("DoesNotExist"), problems.toString());
        assertTrue(problems.get(1).contains("bad config for this detector"), problems.toString());
    }

    @Test
    void aDisabledProviderBuildsNothingAndReportsNothing() {
        DetectorProvider disabled = new DetectorProvider() {
            public Detector create(ProviderContext context) {
                throw new AssertionError("must not be called");
            }

            public boolean enabled(ProviderContext context) {
                return false;
            }
        };
        List<String> problems = new ArrayList<>();
        assertTrue(ProviderDiscovery.build(DetectorProvider.class, disabled, ctx, DetectorProvider::enabled,
                DetectorProvider::create, (t, p, m) -> problems.add(m)).isEmpty());
        assertTrue(problems.isEmpty());
    }
}

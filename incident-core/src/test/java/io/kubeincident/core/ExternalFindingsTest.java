package io.kubeincident.core;

import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.FindingSink;
import io.kubeincident.spi.FindingSource;
import io.kubeincident.testkit.scenario.PodBuilder;
import io.kubeincident.testkit.server.KubeServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Findings from {@link FindingSource}s: they join the watched incident of the same object, and leave it when cleared. */
class ExternalFindingsTest {
    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension();

    private static Finding alert(String pod, String type) {
        return new Finding("alertmanager", type, Severity.MEDIUM, ResourceRef.of("Pod", "default", pod),
                "Alert firing for " + pod, Map.of("alertname", "Test"), Instant.now(), Finding.SOURCE_ALERT);
    }

    @Test
    void reportedFindingsJoinTheWatchedIncidentAndClearedOnesLeaveIt() throws Exception {
        PodBuilder.pod("default", "web-1").crashLoopBackOff(5).create(kube.apiClient());
        AtomicReference<FindingSink> given = new AtomicReference<>();
        FindingSource source = new FindingSource() {
            public String id() {
                return "test-source";
            }

            public void start(FindingSink sink) {
                given.set(sink);
            }
        };
        try (IncidentEngine engine = IncidentEngine.builder().apiClient(kube.apiClient()).logAudit(false)
                .findingSource(source).build()) {
            FindingSink sink = engine.findingSink();
            sink.report("am:1", alert("web-1", IncidentTypes.ALERT));
            sink.report("am:1", alert("web-1", IncidentTypes.ALERT));  // a re-delivery
            sink.report("am:2", alert("ghost", IncidentTypes.ALERT));  // a pod the watch does not see
            List<IncidentReport> reports = engine.scan();
            IncidentReport web = reports.stream().filter(r -> r.incident().rootResource().name().equals("web-1")).findFirst().orElseThrow();
            assertEquals(IncidentTypes.CRASH_LOOP, web.incident().type(), "the more specific watched type names the incident");
            assertEquals(Set.of(Finding.SOURCE_WATCH, Finding.SOURCE_ALERT),
                    web.incident().findings().stream().map(Finding::source).collect(Collectors.toSet()));
            assertEquals(2, web.incident().findings().size());
            assertTrue(reports.stream().anyMatch(r -> r.incident().type().equals(IncidentTypes.ALERT)
                    && r.incident().rootResource().name().equals("ghost")));

            sink.clear("am:1");
            sink.clear("am:2");
            sink.clear("never-reported");
            List<IncidentReport> after = engine.scan();
            assertEquals(1, after.size());
            assertEquals(List.of(Finding.SOURCE_WATCH), after.get(0).incident().findings().stream().map(Finding::source).toList());
            assertThrows(NullPointerException.class, () -> sink.report(null, alert("x", "alert")));
            assertNull(given.get(), "sources start with continuous mode, not with a one-shot scan");
        }
    }
}

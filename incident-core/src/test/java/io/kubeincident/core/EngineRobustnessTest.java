package io.kubeincident.core;

import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.core.audit.InMemoryAuditSink;
import io.kubeincident.core.monitor.ObjectIndex;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A provider that throws, a detector that throws, an analyzer that hangs: reported, skipped, engine goes on. */
class EngineRobustnessTest {

    private static V1Pod crashingPod(String name) {
        return new V1Pod().metadata(new V1ObjectMeta().name(name).namespace("default").uid(name + "-uid"))
                .status(new V1PodStatus().addContainerStatusesItem(new V1ContainerStatus().name("app").restartCount(7)
                        .image("busybox").imageID("").ready(false)
                        .state(new V1ContainerState().waiting(new V1ContainerStateWaiting().reason("CrashLoopBackOff")))));
    }

    static final class ThrowingDetector implements Detector {
        public String id() {
            return "throws";
        }

        public Set<String> kinds() {
            return Set.of("Pod");
        }

        public List<Finding> detect(KubernetesObject object, DetectionContext context) {
            throw new IllegalStateException("detector bug");
        }
    }

    @Test
    void aHangingAnalyzerTimesOutAndTheNextOneAnswers() {
        CountDownLatch interrupted = new CountDownLatch(1);
        Analyzer hanging = new Analyzer() {
            public String id() {
                return "slow-llm";
            }

            public int priority() {
                return 100;
            }

            public AnalysisOutcome analyze(AnalysisRequest request) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
                return AnalysisOutcome.failed("interrupted");
            }
        };
        Analyzer fallback = new Analyzer() {
            public String id() {
                return "fallback";
            }

            public int priority() {
                return 0;
            }

            public AnalysisOutcome analyze(AnalysisRequest request) {
                Incident i = request.incident();
                return AnalysisOutcome.diagnosed(new Diagnosis("app-crash", "it crashes", "rules", 0.7, "fallback",
                        List.of(new ProposedAction("restart-pod", i.findings().get(0).resource(), Map.of(), 0.7, "restart")),
                        Map.of()));
            }
        };
        InMemoryAuditSink audit = new InMemoryAuditSink();
        try (IncidentEngine engine = IncidentEngine.builder().discovery(false)
                .config(Map.of("analysis.timeout", "300ms"))
                .addDetector(new io.kubeincident.core.detect.CrashLoopDetector())
                .addDetector(new ThrowingDetector())
                .addAnalyzer(hanging).addAnalyzer(fallback)
                .addAction(new io.kubeincident.core.action.RestartPodAction())
                .auditSink(audit).logAudit(false).build()) {
            ObjectIndex view = new ObjectIndex(List.of(crashingPod("a"), crashingPod("b")));
            List<Incident> incidents = engine.detect(view);
            assertEquals(2, incidents.size(), "bare pods are their own roots: one incident each");
            IncidentReport report = engine.analyzeAndPlan(incidents.get(0), view);
            assertEquals("fallback", report.diagnosis().analyzerId());
            assertTrue(await(interrupted), "the hanging analysis was cancelled");

            var failed = audit.withStep("analyzer-failed");
            assertEquals(1, failed.size());
            assertEquals("slow-llm", failed.get(0).field("analyzer"));
            assertTrue(String.valueOf(failed.get(0).field("message")).contains("timed out"));
            var detectorErrors = audit.withStep("detector-error");
            assertEquals(1, detectorErrors.size(), "one report per detector per sweep, not one per object");
            assertTrue(String.valueOf(detectorErrors.get(0).field("message")).contains("detector bug"));
        }
    }

    @Test
    void aProviderWhoseCreateThrowsIsAuditedAndSkipped() {
        InMemoryAuditSink audit = new InMemoryAuditSink();
        try (IncidentEngine engine = IncidentEngine.builder().discovery(false)
                .addDetectorProvider(ctx -> {
                    throw new IllegalArgumentException("detection.threshold: not a number");
                })
                .addDetector(new io.kubeincident.core.detect.CrashLoopDetector())
                .auditSink(audit).logAudit(false).build()) {
            assertEquals(List.of("crash-loop"), engine.detectors().stream().map(Detector::id).toList());
            var errors = audit.withStep("provider-error");
            assertEquals(1, errors.size());
            assertTrue(String.valueOf(errors.get(0).field("message")).contains("detection.threshold"));
        }
    }

    @Test
    void noAnalyzerAnswerGivesAnUnknownDiagnosisWithNoActions() {
        InMemoryAuditSink audit = new InMemoryAuditSink();
        try (IncidentEngine engine = IncidentEngine.builder().discovery(false)
                .addDetector(new io.kubeincident.core.detect.CrashLoopDetector())
                .addAnalyzer(new Analyzer() {
                    public String id() {
                        return "declines";
                    }

                    public AnalysisOutcome analyze(AnalysisRequest request) {
                        return AnalysisOutcome.declined("no rule matches");
                    }
                })
                .auditSink(audit).logAudit(false).build()) {
            ObjectIndex view = new ObjectIndex(List.of(crashingPod("a")));
            IncidentReport r = engine.analyzeAndPlan(engine.detect(view).get(0), view);
            assertEquals("unknown", r.diagnosis().category());
            assertTrue(r.plan().isEmpty());
            assertEquals(1, audit.withStep("analyzer-declined").size());
        }
    }

    @Test
    void evidenceContributorsAddRedactedFactsAndAFailingOneIsAudited() {
        InMemoryAuditSink audit = new InMemoryAuditSink();
        java.util.concurrent.atomic.AtomicReference<io.kubeincident.api.Evidence> seen = new java.util.concurrent.atomic.AtomicReference<>();
        try (IncidentEngine engine = IncidentEngine.builder().discovery(false)
                .addDetector(new io.kubeincident.core.detect.CrashLoopDetector())
                .addEvidenceContributor(new io.kubeincident.spi.EvidenceContributor() {
                    public String id() {
                        return "git";
                    }

                    public Map<String, String> facts(Incident incident, io.kubeincident.spi.ClusterView cluster) {
                        return Map.of("gitRepo", "https://deploy:hunter2secret@git.example.com/app.git");
                    }
                })
                .addEvidenceContributor(new io.kubeincident.spi.EvidenceContributor() {
                    public String id() {
                        return "broken";
                    }

                    public Map<String, String> facts(Incident incident, io.kubeincident.spi.ClusterView cluster) {
                        throw new IllegalStateException("unreachable");
                    }
                })
                .addAnalyzer(new Analyzer() {
                    public String id() {
                        return "looks";
                    }

                    public AnalysisOutcome analyze(AnalysisRequest request) {
                        seen.set(request.evidence());
                        return AnalysisOutcome.declined("only looking");
                    }
                })
                .auditSink(audit).logAudit(false).build()) {
            ObjectIndex view = new ObjectIndex(List.of(crashingPod("a")));
            engine.analyzeAndPlan(engine.detect(view).get(0), view);
            String repo = seen.get().fact("gitRepo");
            assertTrue(repo.contains("git.example.com") && !repo.contains("hunter2secret"), repo);
            assertEquals(1, audit.withStep("provider-error").size());
            assertEquals("broken", audit.withStep("provider-error").get(0).field("contributor"));
        }
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

package io.kubeincident.testkit.kit;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Finding;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Verdict;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.AnalyzerProvider;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.spi.SupportsDryRun;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.scenario.PodBuilder;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kits' checks fail, with a message naming the problem, on implementations that break the contracts. */
class KitsCatchBrokenImplementationsTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension();

    private static void fails(Executable check, String mentions) {
        AssertionError e = assertThrows(AssertionError.class, check);
        assertTrue(String.valueOf(e.getMessage()).contains(mentions), "expected a message mentioning '" + mentions + "': " + e.getMessage());
    }

    // ------------------------------------------------------------------ detector

    private static DetectorCompatibilityKit detectorKit(Detector d) {
        return new DetectorCompatibilityKit() {
            protected Detector detector() {
                return d;
            }

            protected Class<? extends DetectorProvider> providerClass() {
                return Samples.CrashLoopDetectorProvider.class;
            }

            protected List<KubernetesObject> healthyObjects() {
                return List.of(PodBuilder.pod("default", "ok").running().build());
            }

            protected List<KubernetesObject> unhealthyObjects() {
                return List.of(PodBuilder.pod("default", "bad").crashLoopBackOff(5).build());
            }
        };
    }

    @Test
    void detectorThatThrowsOnHalfEmptyObjectsOrHasABadId() {
        Detector npe = new Samples.CrashLoopDetector() {
            public List<Finding> detect(KubernetesObject o, DetectionContext c) {
                return ((V1Pod) o).getStatus().getPhase().isEmpty() ? List.of() : super.detect(o, c);
            }
        };
        fails(detectorKit(npe)::oddAndHalfEmptyObjectsNeverThrow, "detect threw");
        Detector badId = new Samples.CrashLoopDetector() {
            public String id() {
                return "CrashLoop";
            }
        };
        fails(detectorKit(badId)::idIsStableKebabCase, "kebab-case");
        fails(detectorKit(badId)::discoverableThroughServiceLoader, "same id");
        Detector mutating = new Samples.CrashLoopDetector() {
            public List<Finding> detect(KubernetesObject o, DetectionContext c) {
                o.getMetadata().setName("changed");
                return List.of();
            }
        };
        fails(detectorKit(mutating)::neverModifiesTheObject, "modified");
        fails(detectorKit(new Samples.CrashLoopDetector() {
            public List<Finding> detect(KubernetesObject o, DetectionContext c) {
                return List.of();
            }
        })::unhealthyObjectsGiveFindingsOfThisDetector, "gave no finding");
    }

    // ------------------------------------------------------------------ action

    private static RemediationActionCompatibilityKit actionKit(RemediationAction a) {
        return new RemediationActionCompatibilityKit() {
            protected RemediationAction action() {
                return a;
            }

            protected Class<? extends RemediationActionProvider> providerClass() {
                return Samples.DeletePodActionProvider.class;
            }

            protected ActionRequest prepare(ApiClient client) throws Exception {
                V1Pod p = PodBuilder.pod("default", "victim").crashLoopBackOff(2).create(client);
                return request(TestContexts.ref(p), Map.of());
            }
        };
    }

    /** Ignores dry-run and deletes for real. */
    static final class DryRunIgnoringAction extends Samples.DeletePodAction {
        public ActionResult execute(ActionRequest r, ActionContext c) {
            return super.execute(new ActionRequest(r.incidentId(), r.actionType(), r.target(), r.parameters(), r.confidence(), false), c);
        }
    }

    @Test
    void actionThatIgnoresDryRunOrThrowsOnMissingTargets() throws Exception {
        ApiClient client = kube.apiClient();
        fails(() -> actionKit(new DryRunIgnoringAction()).dryRunChangesNothing(client), "dry run");
        kube.server().reset();
        RemediationAction throwing = new Samples.DeletePodAction() {
            public ActionResult execute(ActionRequest r, ActionContext c) {
                try {
                    new CoreV1Api(c.apiClient()).deleteNamespacedPod(r.target().name(), r.target().namespace()).execute();
                } catch (ApiException e) {
                    throw new IllegalStateException(e);
                }
                return ActionResult.applied("deleted");
            }
        };
        fails(() -> actionKit(throwing).missingTargetIsSkippedOrFailedNotThrown(client), "execute threw");
        kube.server().reset();
        java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
        RemediationAction notIdempotent = new Samples.DeletePodAction() {
            public ActionResult execute(ActionRequest r, ActionContext c) {
                try {
                    new CoreV1Api(c.apiClient()).createNamespacedPod("default",
                            PodBuilder.pod("default", "extra-" + created.incrementAndGet()).build()).execute();
                } catch (ApiException e) {
                    return ActionResult.failed("HTTP " + e.getCode());
                }
                return ActionResult.applied("created another pod");
            }
        };
        fails(() -> actionKit(notIdempotent).executingTwiceIsIdempotent(client), "twice");
        kube.server().reset();
        RemediationAction openSchema = new Samples.DeletePodAction() {
            public Map<String, Object> parametersSchema() {
                return Map.of("type", "object", "properties", Map.of());
            }
        };
        fails(actionKit(openSchema)::parametersSchemaIsAClosedObjectSchema, "additionalProperties");
    }

    // ------------------------------------------------------------------ policy

    private static SafetyPolicyCompatibilityKit policyKit(SafetyPolicy p) {
        return new SafetyPolicyCompatibilityKit() {
            protected SafetyPolicy policy() {
                return p;
            }

            protected Class<? extends SafetyPolicyProvider> providerClass() {
                return Samples.ExcludedNamespacesPolicyProvider.class;
            }

            protected List<Restricted> mustRestrict() {
                return new SamplePolicyCompatibilityTest().mustRestrict();
            }
        };
    }

    @Test
    void policyThatNeverDeniesOrOnlyAsksWhereItMustDeny() {
        SafetyPolicy neverDenies = new Samples.ExcludedNamespacesPolicy(Set.of()) {
            public Verdict evaluate(ProposedAction a, SafetyContext c) {
                return Verdict.allow();
            }
        };
        // Passes every other check of the kit: only the deny path catches it.
        policyKit(neverDenies).everyActionGetsAVerdictWithReasonsWhenRestrictive();
        policyKit(neverDenies).evaluateIsRepeatable();
        fails(policyKit(neverDenies)::restrictsWhatItMustRestrict, "expected Deny");
        SafetyPolicy onlyAsks = new Samples.ExcludedNamespacesPolicy(Set.of()) {
            public Verdict evaluate(ProposedAction a, SafetyContext c) {
                return Verdict.requireApproval("someone should look");
            }
        };
        fails(policyKit(onlyAsks)::restrictsWhatItMustRestrict, "expected Deny");
        SafetyPolicy deniesOnlyForReal = new Samples.ExcludedNamespacesPolicy(Set.of("kube-system")) {
            public Verdict evaluate(ProposedAction a, SafetyContext c) {
                return c.dryRun() ? Verdict.allow() : super.evaluate(a, c);
            }
        };
        fails(policyKit(deniesOnlyForReal)::restrictsWhatItMustRestrict, "(dry run)");
    }

    @Test
    void policyKitWithoutACaseFailsInsteadOfSkipping() {
        // Even a policy that does deny: the kit cannot show it without a case, so it asks for one.
        for (List<SafetyPolicyCompatibilityKit.Restricted> none : java.util.Arrays.asList(List.<SafetyPolicyCompatibilityKit.Restricted>of(), null)) {
            SafetyPolicyCompatibilityKit noCases = new SafetyPolicyCompatibilityKit() {
                protected SafetyPolicy policy() {
                    return new Samples.ExcludedNamespacesPolicy(Set.of("kube-system"));
                }

                protected Class<? extends SafetyPolicyProvider> providerClass() {
                    return Samples.ExcludedNamespacesPolicyProvider.class;
                }

                protected List<Restricted> mustRestrict() {
                    return none;
                }
            };
            fails(noCases::restrictsWhatItMustRestrict, "override mustRestrict()");
        }
    }

    @Test
    void policyKitJudgesTheDryRunWithTheSameProvenance() {
        // A policy that restricts what a generative analyzer proposes: the dry-run copy must keep the provenance.
        SafetyPolicy modelsNeedApproval = new Samples.ExcludedNamespacesPolicy(Set.of()) {
            public Verdict evaluate(ProposedAction a, SafetyContext c) {
                return c.provenance().map(p -> p.generative()).orElse(false)
                        ? Verdict.requireApproval("a model proposed this") : Verdict.allow();
            }
        };
        ProposedAction restart = new ProposedAction("restart-pod", ResourceRef.of("Pod", "default", "web-1"), Map.of(), 0.9, "llm");
        Diagnosis llm = new Diagnosis("stuck", "cause", "why", 0.9, "llm", List.of(restart), Map.of());
        SafetyContext plain = TestContexts.safety().build();
        SafetyContext withProvenance = new SafetyContext() {
            public io.kubeincident.api.Incident incident() { return plain.incident(); }
            public java.util.Optional<io.kubeincident.api.ActionDescriptor> action(String t) { return plain.action(t); }
            public boolean dryRun() { return false; }
            public io.kubeincident.spi.ClusterView cluster() { return plain.cluster(); }
            public io.kubeincident.api.ConfigView config() { return plain.config(); }
            public java.time.Clock clock() { return plain.clock(); }
            public io.kubeincident.spi.ActionHistory history() { return plain.history(); }
            public List<ResourceRef> ownerChain(ResourceRef ref) { return List.of(ref); }
            public java.util.Optional<io.kubeincident.api.AnalysisProvenance> provenance() {
                return java.util.Optional.of(new io.kubeincident.api.AnalysisProvenance(io.kubeincident.api.Evidence.empty(), llm, true, null));
            }
        };
        new SafetyPolicyCompatibilityKit() {
            protected SafetyPolicy policy() {
                return modelsNeedApproval;
            }

            protected Class<? extends SafetyPolicyProvider> providerClass() {
                return Samples.ExcludedNamespacesPolicyProvider.class;
            }

            protected List<Restricted> mustRestrict() {
                return List.of(Restricted.approval("a model's proposal", restart, withProvenance));
            }
        }.restrictsWhatItMustRestrict();
    }

    @Test
    void policyThatThrowsOnWeirdActionsOrCountsInEvaluate() {
        SafetyPolicy throwing = new Samples.ExcludedNamespacesPolicy(Set.of()) {
            public Verdict evaluate(ProposedAction a, SafetyContext c) {
                return a.target().namespace().isEmpty() ? Verdict.deny("x") : Verdict.allow();
            }
        };
        fails(policyKit(throwing)::everyActionGetsAVerdictWithReasonsWhenRestrictive, "evaluate threw");
        SafetyPolicy blankReason = new Samples.ExcludedNamespacesPolicy(Set.of()) {
            public Verdict evaluate(ProposedAction a, SafetyContext c) {
                return Verdict.deny(" ");
            }
        };
        fails(policyKit(blankReason)::everyActionGetsAVerdictWithReasonsWhenRestrictive, "blank reason");
        SafetyPolicy counting = new Samples.ExcludedNamespacesPolicy(Set.of()) {
            private int calls;

            public synchronized Verdict evaluate(ProposedAction a, SafetyContext c) {
                return ++calls % 2 == 0 ? Verdict.deny("rate limit") : Verdict.allow();
            }
        };
        fails(policyKit(counting)::evaluateIsRepeatable, "onExecuted");
    }

    // ------------------------------------------------------------------ analyzer

    private static AnalyzerCompatibilityKit analyzerKit(Analyzer a) {
        return new AnalyzerCompatibilityKit() {
            protected Analyzer analyzer() {
                return a;
            }

            protected Class<? extends AnalyzerProvider> providerClass() {
                return Samples.RestartAnalyzerProvider.class;
            }

            protected AnalysisRequest sampleRequest() {
                return new SampleAnalyzerCompatibilityTest().sampleRequest();
            }
        };
    }

    @Test
    void analyzerThatProposesUnavailableActionsOrForeignTargets() {
        Analyzer unavailable = new Samples.RestartAnalyzer() {
            public AnalysisOutcome analyze(AnalysisRequest r) {
                return AnalysisOutcome.diagnosed(new Diagnosis("x", "", "", 0.5, id(), List.of(new ProposedAction("drain-node",
                        r.incident().rootResource(), Map.of(), 0.5, "")), Map.of()));
            }
        };
        fails(analyzerKit(unavailable)::proposalsOnlyNameAvailableActionsOnIncidentResources, "not among the available");
        Analyzer foreign = new Samples.RestartAnalyzer() {
            public AnalysisOutcome analyze(AnalysisRequest r) {
                return AnalysisOutcome.diagnosed(new Diagnosis("x", "", "", 0.5, id(), List.of(new ProposedAction("restart-pod",
                        ResourceRef.of("Pod", "kube-system", "etcd"), Map.of(), 0.5, "")), Map.of()));
            }
        };
        fails(analyzerKit(foreign)::proposalsOnlyNameAvailableActionsOnIncidentResources, "not a resource of the incident");
        Analyzer throwing = new Samples.RestartAnalyzer() {
            public AnalysisOutcome analyze(AnalysisRequest r) {
                return r.evidence().facts().isEmpty() ? null : super.analyze(r);
            }
        };
        fails(analyzerKit(throwing)::answersEveryRequestWithAnOutcome, "not null");
    }
}

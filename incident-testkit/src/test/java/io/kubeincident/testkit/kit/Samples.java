package io.kubeincident.testkit.kit;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.AnalysisOutcome;
import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.Finding;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.api.Verdict;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.Analyzer;
import io.kubeincident.spi.AnalyzerProvider;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.spi.SupportsDryRun;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Tiny SPI implementations that prove each compatibility kit (registered in test META-INF/services). */
final class Samples {

    private Samples() {
    }

    static class CrashLoopDetector implements Detector {
        public String id() {
            return "sample-crash-loop";
        }

        public Set<String> kinds() {
            return Set.of("Pod");
        }

        public Set<String> incidentTypes() {
            return Set.of(IncidentTypes.CRASH_LOOP);
        }

        public List<Finding> detect(KubernetesObject object, DetectionContext context) {
            if (!(object instanceof V1Pod pod) || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
                    || pod.getMetadata() == null || pod.getMetadata().getName() == null) {
                return Detector.none();
            }
            List<Finding> out = new ArrayList<>();
            for (V1ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
                if (cs.getState() != null && cs.getState().getWaiting() != null
                        && "CrashLoopBackOff".equals(cs.getState().getWaiting().getReason())) {
                    out.add(new Finding(id(), IncidentTypes.CRASH_LOOP, Severity.HIGH,
                            ResourceRef.of("Pod", pod.getMetadata().getNamespace(), pod.getMetadata().getName()),
                            "container " + cs.getName() + " is in CrashLoopBackOff", Map.of("container", cs.getName()),
                            context.now()));
                }
            }
            return out;
        }
    }

    public static final class CrashLoopDetectorProvider implements DetectorProvider {
        public Detector create(ProviderContext context) {
            return new CrashLoopDetector();
        }
    }

    /** Deletes a pod; dry-run with the server's dryRun=All. */
    static class DeletePodAction implements RemediationAction, SupportsDryRun {
        public String id() {
            return "sample-delete-pod";
        }

        public String description() {
            return "Deletes a pod so its controller recreates it";
        }

        public Set<String> targetKinds() {
            return Set.of("Pod");
        }

        public Map<String, Object> parametersSchema() {
            return Map.of("type", "object", "additionalProperties", false,
                    "properties", Map.of("gracePeriodSeconds", Map.of("type", "integer", "minimum", 0)));
        }

        public ActionResult execute(ActionRequest request, ActionContext context) {
            ResourceRef t = request.target();
            try {
                CoreV1Api core = new CoreV1Api(context.apiClient());
                var call = core.deleteNamespacedPod(t.name(), t.namespace());
                if (request.dryRun()) {
                    call.dryRun("All").execute();
                    return ActionResult.dryRun("would delete pod " + t);
                }
                call.execute();
                return ActionResult.applied("deleted pod " + t);
            } catch (ApiException e) {
                if (e.getCode() == 404) return ActionResult.skipped("pod " + t + " is already gone");
                return ActionResult.failed("deleting pod " + t + " failed: HTTP " + e.getCode());
            }
        }
    }

    public static final class DeletePodActionProvider implements RemediationActionProvider {
        public RemediationAction create(ProviderContext context) {
            return new DeletePodAction();
        }
    }

    static class ExcludedNamespacesPolicy implements SafetyPolicy {
        private final Set<String> excluded;

        ExcludedNamespacesPolicy(Set<String> excluded) {
            this.excluded = Set.copyOf(excluded);
        }

        public String id() {
            return "sample-excluded-namespaces";
        }

        public Verdict evaluate(ProposedAction action, SafetyContext context) {
            String ns = action.target().namespace();
            if (ns != null && excluded.contains(ns)) return Verdict.deny("namespace " + ns + " is excluded from automation");
            if (context.action(action.actionType()).isEmpty()) return Verdict.deny("unknown action type " + action.actionType());
            return Verdict.allow();
        }
    }

    public static final class ExcludedNamespacesPolicyProvider implements SafetyPolicyProvider {
        public SafetyPolicy create(ProviderContext context) {
            return new ExcludedNamespacesPolicy(Set.copyOf(context.config().getList("safety.excluded_namespaces",
                    List.of("kube-system"))));
        }
    }

    /** Proposes restarting the crash-looping pods of the incident when that action is available. */
    static class RestartAnalyzer implements Analyzer {
        public String id() {
            return "sample-restart";
        }

        public AnalysisOutcome analyze(AnalysisRequest request) {
            if (!IncidentTypes.CRASH_LOOP.equals(request.incident().type())) return AnalysisOutcome.declined("not a crash loop");
            List<ProposedAction> actions = new ArrayList<>();
            if (request.actionAvailable(ActionTypes.RESTART_POD)) {
                for (ResourceRef r : request.incident().resources()) {
                    if (r.kind().equals("Pod")) actions.add(new ProposedAction(ActionTypes.RESTART_POD, r, Map.of(), 0.7, "restart"));
                }
            }
            return AnalysisOutcome.diagnosed(new Diagnosis("transient-crash", "the container crashed", "rule", 0.6, id(),
                    actions, Map.of()));
        }
    }

    public static final class RestartAnalyzerProvider implements AnalyzerProvider {
        public Analyzer create(ProviderContext context) {
            return new RestartAnalyzer();
        }
    }
}

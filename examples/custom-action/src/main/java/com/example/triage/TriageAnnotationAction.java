package com.example.triage;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.Permission;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.SupportsDryRun;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.util.PatchUtils;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A third-party action: marks a Pod or Deployment for human triage with two annotations,
 * {@code triage.example.com/incident} (the incident id) and {@code triage.example.com/note}, so that
 * {@code kubectl get -o yaml} shows who is looking at what. It changes no behaviour of the workload, which
 * makes it a safe first automatic step for incidents no other action fits.
 *
 * <p>Idempotent (the same request writes the same values), dry-run capable (server-side {@code dryRun=All}),
 * and its outcomes are values: a missing target is skipped, a 403 names the missing verb.
 */
public final class TriageAnnotationAction implements RemediationAction, SupportsDryRun {
    public static final String ID = "annotate-for-triage";
    public static final String INCIDENT_ANNOTATION = "triage.example.com/incident";
    public static final String NOTE_ANNOTATION = "triage.example.com/note";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Annotate a Pod or Deployment for human triage with the incident id and a short note; changes nothing else.";
    }

    @Override
    public Set<String> targetKinds() {
        return Set.of("Pod", "Deployment");
    }

    @Override
    public Map<String, Object> parametersSchema() {
        return Map.of("type", "object",
                "properties", Map.of("note", Map.of("type", "string", "maxLength", 200)),
                "additionalProperties", false);
    }

    @Override
    public Set<Permission> permissions() {
        return Set.of(Permission.core("pods", "patch"), Permission.of("apps", "deployments", "patch"));
    }

    @Override
    public String enableKey() {
        return "enable_triage_annotations";               // remediation.enable_triage_annotations
    }

    @Override
    public List<String> validate(ActionRequest request, ActionContext context) {
        if (request.target().namespace() == null) return List.of("target must be namespaced: " + request.target());
        return List.of();
    }

    @Override
    public ActionResult execute(ActionRequest request, ActionContext context) {
        var target = request.target();
        String note = request.stringParam("note", "flagged by kube-incident");
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(INCIDENT_ANNOTATION, request.incidentId());
        annotations.put(NOTE_ANNOTATION, note);
        V1Patch patch = new V1Patch(mergePatch(annotations));
        String dryRun = request.dryRun() ? "All" : null;
        ApiClient client = context.apiClient();
        try {
            if (target.kind().equals("Pod")) {
                CoreV1Api core = new CoreV1Api(client);
                PatchUtils.patch(V1Pod.class, () -> core.patchNamespacedPod(target.name(), target.namespace(), patch)
                        .dryRun(dryRun).buildCall(null), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
            } else {
                AppsV1Api apps = new AppsV1Api(client);
                PatchUtils.patch(V1Deployment.class, () -> apps.patchNamespacedDeployment(target.name(),
                        target.namespace(), patch).dryRun(dryRun).buildCall(null), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
            }
        } catch (ApiException e) {
            return switch (e.getCode()) {
                case 404 -> ActionResult.skipped(target + " is gone; nothing to annotate");
                case 403 -> ActionResult.failed("forbidden: needs 'patch " + (target.kind().equals("Pod") ? "pods"
                        : "apps/deployments") + "' in namespace " + target.namespace());
                case 409, 429 -> ActionResult.failedRetryable("annotating " + target + ": HTTP " + e.getCode());
                default -> e.getCode() == 0 || e.getCode() >= 500
                        ? ActionResult.failedRetryable("annotating " + target + ": HTTP " + e.getCode())
                        : ActionResult.failed("annotating " + target + ": HTTP " + e.getCode());
            };
        }
        if (request.dryRun()) return ActionResult.dryRun("would annotate " + target + " for triage (server accepted)");
        context.recordEvent(target, "Normal", "TriageRequested", "flagged for triage: " + note);
        return ActionResult.applied("annotated " + target + " for triage");
    }

    private static String mergePatch(Map<String, String> annotations) {
        return new com.google.gson.Gson().toJson(Map.of("metadata", Map.of("annotations", annotations)));
    }
}

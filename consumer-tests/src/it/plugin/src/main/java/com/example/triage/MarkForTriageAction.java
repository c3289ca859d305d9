package com.example.triage;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.Permission;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.SupportsDryRun;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.util.PatchUtils;

import java.util.List;
import java.util.Map;
import java.util.Set;

// tag::action[]
/**
 * Marks a Pod or Deployment for human triage: annotations {@code triage.example.com/incident} and
 * {@code triage.example.com/note}, and an Event. It changes no behaviour of the workload. Idempotent
 * (the same request writes the same values) and dry-run capable (server-side {@code dryRun=All}).
 */
public final class MarkForTriageAction implements RemediationAction, SupportsDryRun {
    public static final String ID = "mark-for-triage";
    public static final String INCIDENT = "triage.example.com/incident";
    public static final String NOTE = "triage.example.com/note";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Annotate a Pod or Deployment for human triage with the incident id and a note; changes nothing else.";
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
        return "enable_triage_marks";           // remediation.enable_triage_marks
    }

    @Override
    public List<String> validate(ActionRequest request, ActionContext context) {
        return request.target().namespace() == null ? List.of("target must be namespaced: " + request.target()) : List.of();
    }

    @Override
    public ActionResult execute(ActionRequest request, ActionContext context) {
        ResourceRef target = request.target();
        String note = request.stringParam("note", "flagged by kube-incident");
        String body = new JSON().serialize(Map.of("metadata", Map.of("annotations",
                Map.of(INCIDENT, request.incidentId(), NOTE, note))));
        V1Patch patch = new V1Patch(body);
        String dryRun = request.dryRun() ? "All" : null;
        ApiClient client = context.apiClient();
        try {
            if (target.kind().equals("Pod")) {
                CoreV1Api core = new CoreV1Api(client);
                PatchUtils.patch(V1Pod.class, () -> core.patchNamespacedPod(target.name(), target.namespace(), patch)
                        .dryRun(dryRun).buildCall(null), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
            } else {
                AppsV1Api apps = new AppsV1Api(client);
                PatchUtils.patch(V1Deployment.class, () -> apps.patchNamespacedDeployment(target.name(), target.namespace(),
                        patch).dryRun(dryRun).buildCall(null), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
            }
        } catch (ApiException e) {
            // Expected failures are values, never exceptions: the engine audits them and carries on.
            return switch (e.getCode()) {
                case 404 -> ActionResult.skipped(target + " is gone; nothing to mark");
                case 403 -> ActionResult.failed("forbidden: needs 'patch' on " + target.kind() + " in " + target.namespace());
                case 409, 429 -> ActionResult.failedRetryable("marking " + target + ": HTTP " + e.getCode());
                default -> e.getCode() == 0 || e.getCode() >= 500
                        ? ActionResult.failedRetryable("marking " + target + ": HTTP " + e.getCode())
                        : ActionResult.failed("marking " + target + ": HTTP " + e.getCode());
            };
        }
        if (request.dryRun()) return ActionResult.dryRun("would mark " + target + " for triage (server accepted)");
        context.recordEvent(target, "Normal", "TriageRequested", "marked for triage: " + note);
        return ActionResult.applied("marked " + target + " for triage");
    }
}
// end::action[]

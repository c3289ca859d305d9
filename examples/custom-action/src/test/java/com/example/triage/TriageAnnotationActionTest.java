package com.example.triage;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plugin on its own, against the loopback API server. */
class TriageAnnotationActionTest {
    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    private final TriageAnnotationAction action = new TriageAnnotationAction();
    private final List<String> events = new ArrayList<>();

    private ActionContext context(ApiClient client) {
        Incident incident = new Incident("inc-1", "fp", "crash-loop", Severity.HIGH, ResourceRef.of("Pod", "shop", "web"),
                null, null, IncidentState.OPEN, Instant.EPOCH, null);
        return new ActionContext() {
            public ApiClient apiClient() {
                return client;
            }

            public ClusterView cluster() {
                throw new UnsupportedOperationException("the action does not need the cluster view");
            }

            public ConfigView config() {
                return ConfigView.empty();
            }

            public Clock clock() {
                return Clock.systemUTC();
            }

            public Incident incident() {
                return incident;
            }

            public void recordEvent(ResourceRef target, String type, String reason, String message) {
                events.add(reason + " " + target);
            }
        };
    }

    private static ActionRequest request(String name, boolean dryRun) {
        return new ActionRequest("inc-1", TriageAnnotationAction.ID, ResourceRef.of("Pod", "shop", name),
                Map.of("note", "looking into it"), 0.9, dryRun);
    }

    @Test
    void annotatesOnceAndAgainToTheSameState() throws Exception {
        Pods.crashLooping(kube.apiClient(), "shop", "web");
        ActionResult first = action.execute(request("web", false), context(kube.apiClient()));
        assertInstanceOf(ActionResult.Applied.class, first, first.message());
        Map<String, String> after = Pods.annotations(kube.apiClient(), "shop", "web");
        assertEquals("inc-1", after.get(TriageAnnotationAction.INCIDENT_ANNOTATION));
        assertEquals("looking into it", after.get(TriageAnnotationAction.NOTE_ANNOTATION));
        assertEquals(List.of("TriageRequested Pod/shop/web"), events);

        action.execute(request("web", false), context(kube.apiClient()));
        assertEquals(after, Pods.annotations(kube.apiClient(), "shop", "web"), "idempotent");
    }

    @Test
    void dryRunChangesNothing() throws Exception {
        Pods.crashLooping(kube.apiClient(), "shop", "web");
        ActionResult r = action.execute(request("web", true), context(kube.apiClient()));
        assertInstanceOf(ActionResult.DryRun.class, r, r.message());
        assertFalse(Pods.annotations(kube.apiClient(), "shop", "web").containsKey(TriageAnnotationAction.INCIDENT_ANNOTATION));
        assertTrue(events.isEmpty());
    }

    @Test
    void aMissingTargetIsSkippedNotThrown() {
        ActionResult r = action.execute(request("gone", false), context(kube.apiClient()));
        assertInstanceOf(ActionResult.Skipped.class, r, r.message());
    }

    @Test
    void declaresWhatTheResponderDerivesRbacFrom() {
        assertEquals("annotate-for-triage", action.id());
        assertTrue(action.permissions().stream().anyMatch(p -> p.resource().equals("pods") && p.verb().equals("patch")));
        assertEquals(false, action.parametersSchema().get("additionalProperties"));
    }
}

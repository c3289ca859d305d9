package io.kubeincident.core.e2e;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.Decision;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.IncidentEngine;
import io.kubeincident.core.audit.InMemoryAuditSink;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scan} and {@code run} judge a step the same way: a rollback of a Deployment with no earlier revision is
 * refused when it is planned, with the action's own reason, not planned to execute and refused later.
 */
class PlanJudgedLikeRunTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    @Test
    void aRollbackWithNoEarlierRevisionIsRefusedAtPlanningInScanAndInRun() throws ApiException {
        DeploymentBuilder.deployment("default", "web").replicas(1).pods(p -> p.crashLoopBackOff(6)).create(kube.apiClient());
        ScriptedAnalyzer rollback = new ScriptedAnalyzer(req -> List.of(new ProposedAction(ActionTypes.ROLLBACK_DEPLOYMENT,
                ResourceRef.of("Deployment", "default", "web"), Map.of(), 0.95, "the last rollout broke it")));
        InMemoryAuditSink audit = new InMemoryAuditSink();
        try (IncidentEngine engine = IncidentEngine.builder().apiClient(kube.apiClient()).config(Map.of())
                .addAnalyzer(rollback).auditSink(audit).logAudit(false).build()) {
            PlannedAction scanned = engine.scan().get(0).plan().get(0);
            assertEquals(Decision.DENIED, scanned.decision(), scanned.toString());
            assertTrue(scanned.reasons().get(0).startsWith("precondition: refused: Deployment/default/web has no earlier revision"),
                    scanned.reasons().toString());

            PlannedAction run = engine.runOnce().get(0).plan().get(0);
            assertEquals(scanned.decision(), run.decision());
            assertEquals(scanned.reasons(), run.reasons());
        }
        assertTrue(audit.withStep("intent").isEmpty(), "nothing was started");
    }
}

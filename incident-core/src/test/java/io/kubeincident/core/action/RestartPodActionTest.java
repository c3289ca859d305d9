package io.kubeincident.core.action;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.scenario.DeploymentBuilder;
import io.kubeincident.testkit.scenario.PodBuilder;
import io.kubeincident.testkit.scenario.Workload;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** restart-pod against the loopback API server, including every fault of the catalog. */
class RestartPodActionTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    private final FaultInjector faults = new FaultInjector();
    private final RestartPodAction action = new RestartPodAction(new KubeApi(ApiRetryConfig.defaults(), Sleeper.NONE));

    private ApiClient client() {
        return faults.wrap(kube.apiClient());
    }

    private V1Pod crashingPod() throws ApiException {
        Workload w = DeploymentBuilder.deployment("default", "web").replicas(1).pods(p -> p.crashLoopBackOff(5)).create(kube.apiClient());
        return w.pods().get(0);
    }

    private TestContexts.RecordingActionContext ctx(ResourceRef target) {
        return TestContexts.action().apiClient(client()).incident(TestContexts.incident("crash-loop", target)).build();
    }

    private static ActionRequest request(ResourceRef target, boolean dryRun) {
        return new ActionRequest("inc-1", "restart-pod", target, Map.of(), 0.9, dryRun);
    }

    private List<String> pods() throws ApiException {
        return new CoreV1Api(kube.apiClient()).listNamespacedPod("default").execute().getItems().stream()
                .map(p -> p.getMetadata().getName()).toList();
    }

    @Test
    void deletesAControlledPodAndRecordsAnEvent() throws ApiException {
        V1Pod pod = crashingPod();
        ResourceRef target = TestContexts.ref(pod);
        var ctx = ctx(target);
        assertEquals(List.of(), action.validate(request(target, false), ctx));
        ActionResult r = action.execute(request(target, false), ctx);
        var applied = assertInstanceOf(ActionResult.Applied.class, r, r.message());
        assertEquals(pod.getMetadata().getUid(), applied.undoState().get("podUid"));
        assertTrue(pods().isEmpty());
        assertEquals("KubeIncidentRestart", ctx.events().get(0).reason());
        assertTrue(ctx.events().get(0).message().contains("inc-1"));
        ActionResult again = action.execute(request(target, false), ctx);
        assertInstanceOf(ActionResult.Skipped.class, again, "idempotent: the pod is gone, nothing to do");
    }

    @Test
    void aBarePodIsNeverDeleted() throws ApiException {
        V1Pod bare = PodBuilder.pod("default", "one-off").crashLoopBackOff(3).create(kube.apiClient());
        ResourceRef target = TestContexts.ref(bare);
        var ctx = ctx(target);
        List<String> problems = action.validate(request(target, false), ctx);
        assertTrue(problems.get(0).contains("no controller"), problems.toString());
        ActionResult r = action.execute(request(target, false), ctx);
        assertInstanceOf(ActionResult.Failed.class, r);
        assertEquals(List.of("one-off"), pods());
        assertEquals(0, faults.count("DELETE", "/pods/"));
    }

    @Test
    void dryRunChecksOnTheServerAndChangesNothing() throws ApiException {
        ResourceRef target = TestContexts.ref(crashingPod());
        var ctx = ctx(target);
        ActionResult r = action.execute(request(target, true), ctx);
        assertInstanceOf(ActionResult.DryRun.class, r, r.message());
        assertEquals(1, pods().size());
        assertTrue(faults.seen().stream().anyMatch(s -> s.startsWith("DELETE") && s.contains("dryRun=All")), faults.seen().toString());
        assertTrue(ctx.events().isEmpty(), "a dry run writes no events either");
    }

    @Test
    void aPodAlreadyReplacedUnderTheSameNameIsLeftAlone() throws ApiException {
        V1Pod pod = crashingPod();
        ResourceRef stale = new ResourceRef("Pod", "default", pod.getMetadata().getName(), "some-older-uid");
        ActionResult r = action.execute(request(stale, false), ctx(stale));
        assertInstanceOf(ActionResult.Skipped.class, r);
        assertEquals(1, pods().size());
    }

    @Test
    void goneTargetIsSkipped() {
        ResourceRef target = ResourceRef.of("Pod", "default", "vanished");
        ActionResult r = action.execute(request(target, false), ctx(target));
        var skipped = assertInstanceOf(ActionResult.Skipped.class, r);
        assertTrue(skipped.message().contains("is gone (404)"), skipped.message());
    }

    @Test
    void forbiddenFailsNamingTheMissingPermission() throws ApiException {
        ResourceRef target = TestContexts.ref(crashingPod());
        faults.fail("DELETE", "/api/v1/namespaces/default/pods/", 403, 10);
        var ctx = ctx(target);
        ActionResult r = action.execute(request(target, false), ctx);
        var failed = assertInstanceOf(ActionResult.Failed.class, r);
        assertTrue(failed.message().contains("RBAC permission missing: delete pods"), failed.message());
        assertTrue(!failed.retryable());
        assertEquals(1, faults.count("DELETE", "/pods/"), "403 is not retried");
        assertEquals(1, pods().size());
        assertEquals("KubeIncidentRestartFailed", ctx.events().get(0).reason());
    }

    @Test
    void serverErrorsAndTimeoutsAreRetriedABoundedNumberOfTimes() throws ApiException {
        ResourceRef target = TestContexts.ref(crashingPod());
        faults.fail("DELETE", "/pods/", 503, 1).fail("DELETE", "/pods/", 0, 1);
        ActionResult r = action.execute(request(target, false), ctx(target));
        assertInstanceOf(ActionResult.Applied.class, r, r.message());
        assertEquals(3, faults.count("DELETE", "/pods/"), "503, timeout, then success");

        ResourceRef other = TestContexts.ref(PodBuilder.pod("default", "web-x").ownedBy("apps/v1", "ReplicaSet", "web-rs", "u1")
                .crashLoopBackOff(2).create(kube.apiClient()));
        faults.fail("DELETE", "/pods/web-x", 500, 100);
        ActionResult failed = action.execute(request(other, false), ctx(other));
        var f = assertInstanceOf(ActionResult.Failed.class, failed);
        assertTrue(f.retryable());
        assertTrue(f.message().contains("gave up after 3 attempts"), f.message());
        assertEquals(3, faults.count("DELETE", "/pods/web-x"));
    }

    @Test
    void aConflictIsReReadAndTriedOnceMore() throws ApiException {
        ResourceRef target = TestContexts.ref(crashingPod());
        faults.fail("DELETE", "/pods/", 409, 1);
        ActionResult r = action.execute(request(target, false), ctx(target));
        assertInstanceOf(ActionResult.Applied.class, r, r.message());
        assertEquals(2, faults.count("GET", "/pods/"), "read again after the conflict");
        assertTrue(pods().isEmpty());

        ResourceRef second = TestContexts.ref(PodBuilder.pod("default", "web-y").ownedBy("apps/v1", "ReplicaSet", "web-rs", "u1")
                .crashLoopBackOff(2).create(kube.apiClient()));
        faults.fail("DELETE", "/pods/web-y", 409, 5);
        var f = assertInstanceOf(ActionResult.Failed.class, action.execute(request(second, false), ctx(second)));
        assertTrue(f.retryable() && f.message().contains("409 conflict after a re-read"), f.message());
        assertEquals(2, faults.count("DELETE", "/pods/web-y"), "exactly one retry");
    }

    @Test
    void theWrongKindIsRefusedBeforeAnyCall() {
        ResourceRef target = ResourceRef.of("Deployment", "default", "web");
        assertInstanceOf(ActionResult.Failed.class, action.execute(request(target, false), ctx(target)));
        assertTrue(faults.seen().isEmpty());
    }
}

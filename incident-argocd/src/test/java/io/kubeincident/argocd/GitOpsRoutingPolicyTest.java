package io.kubeincident.argocd;

import io.kubeincident.testkit.MutableClock;
import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.api.Verdict;
import io.kubeincident.argocd.client.ArgoCdClient;
import io.kubeincident.spi.ActionHistory;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.PlanRewriter;
import io.kubeincident.spi.SafetyContext;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.kubeincident.argocd.ArgoStub.app;
import static io.kubeincident.argocd.ArgoStub.json;
import static io.kubeincident.argocd.FakeCluster.deployment;
import static io.kubeincident.argocd.FakeCluster.pod;
import static io.kubeincident.argocd.FakeCluster.replicaSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GitOpsRoutingPolicyTest {
    private static final ResourceRef WEB = ResourceRef.of("Deployment", "default", "web");
    private static final ResourceRef PLAIN = ResourceRef.of("Deployment", "default", "plain");

    private ArgoStub stub;
    private ArgoCd argo;
    private GitOpsRoutingPolicy policy;
    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:10:00Z"));
    private final FakeCluster cluster = new FakeCluster()
            .add(deployment("default", "web", Map.of("app.kubernetes.io/instance", "web"), null))
            .add(replicaSet("default", "web-7d", "web"))
            .add(pod("default", "web-7d-abc", "web-7d"))
            .add(deployment("default", "plain", null, null))
            .add(new V1ConfigMap().metadata(FakeCluster.meta("default", "web-config", null,
                    Map.of(ArgoCdConfig.TRACKING_ID_ANNOTATION, "web:/ConfigMap:default/web-config"))))
            .add(new V1ConfigMap().metadata(FakeCluster.meta("default", "hand-made", null, null)));

    @BeforeEach
    void start() {
        stub = new ArgoStub();
        ArgoCdConfig cfg = stub.argoConfig(Map.of());
        argo = new ArgoCd(cfg, new ArgoCdClient(cfg, d -> { }), clock);
        policy = new GitOpsRoutingPolicy(argo);
        apps(app("web").autoSync(true));
    }

    @AfterEach
    void stop() {
        argo.close();
        stub.close();
    }

    private void apps(ArgoStub.App... list) {
        stub.server.stubFor(get(urlPathEqualTo("/api/v1/applications")).willReturn(json(200, ArgoStub.list(list))));
        argo.apps().refresh();
    }

    private SafetyContext ctx(ResourceRef root, Set<String> registered) {
        Instant now = clock.instant();
        Incident incident = new Incident("inc-1", "fp", "crash-loop", Severity.HIGH, root, List.of(root), List.of(),
                IncidentState.OPEN, now, now);
        return new SafetyContext() {
            public Incident incident() {
                return incident;
            }

            public Optional<ActionDescriptor> action(String actionType) {
                return registered.contains(actionType)
                        ? Optional.of(new ActionDescriptor(actionType, "", Set.of(), Map.of())) : Optional.empty();
            }

            public boolean dryRun() {
                return false;
            }

            public ClusterView cluster() {
                return cluster;
            }

            public ConfigView config() {
                return ConfigView.empty();
            }

            public Clock clock() {
                return clock;
            }

            public ActionHistory history() {
                return null;
            }

            public List<ResourceRef> ownerChain(ResourceRef ref) {
                return List.of(ref);
            }
        };
    }

    private SafetyContext ctx() {
        return ctx(WEB, Set.of(ActionTypes.ARGOCD_ROLLBACK, ActionTypes.ARGOCD_SYNC));
    }

    private static ProposedAction plan(String type, ResourceRef target) {
        return new ProposedAction(type, target, Map.of(), 0.9, "bad rollout");
    }

    @Test
    void liveChangesToAnArgoManagedWorkloadAreDenied() {
        for (String type : List.of(ActionTypes.ROLLBACK_DEPLOYMENT, ActionTypes.SCALE, ActionTypes.ADJUST_RESOURCES,
                ActionTypes.ROLLOUT_RESTART)) {
            Verdict v = policy.evaluate(plan(type, WEB), ctx());
            assertTrue(v.isDeny(), type + " -> " + v);
            assertTrue(v.reasons().get(0).contains("self-heal would revert this; use argocd-rollback/argocd-sync"), v.reasons().toString());
            assertTrue(v.reasons().get(0).contains("Argo CD application 'web'"), v.reasons().toString());
        }
    }

    @Test
    void configMapsAndSecretsOfTheAppAreDenied() {
        assertTrue(policy.evaluate(plan(ActionTypes.PATCH_CONFIGMAP, ResourceRef.of("ConfigMap", "default", "web-config")), ctx()).isDeny());
        // Secrets are not in the cluster view: the incident's Argo-managed root decides.
        Verdict secret = policy.evaluate(plan(ActionTypes.PATCH_SECRET, ResourceRef.of("Secret", "default", "web-db")), ctx());
        assertTrue(secret.isDeny(), secret.toString());
        // A ConfigMap nobody tracks is not Argo's.
        assertTrue(policy.evaluate(plan(ActionTypes.PATCH_CONFIGMAP, ResourceRef.of("ConfigMap", "default", "hand-made")), ctx()).isAllow());
    }

    @Test
    void restartPodAndArgoActionsStayAllowed() {
        assertTrue(policy.evaluate(plan(ActionTypes.RESTART_POD, ResourceRef.of("Pod", "default", "web-7d-abc")), ctx()).isAllow());
        assertTrue(policy.evaluate(plan(ActionTypes.ARGOCD_ROLLBACK, WEB), ctx()).isAllow());
        assertTrue(policy.evaluate(plan(ActionTypes.ARGOCD_SYNC, WEB), ctx()).isAllow());
    }

    @Test
    void unmanagedWorkloadsAreNotRouted() {
        for (String type : List.of(ActionTypes.ROLLBACK_DEPLOYMENT, ActionTypes.SCALE, ActionTypes.ROLLOUT_RESTART)) {
            assertTrue(policy.evaluate(plan(type, PLAIN), ctx(PLAIN, Set.of())).isAllow(), type);
        }
    }

    @Test
    void rolloutRestartIsAllowedWhenSelfHealIsOff() {
        apps(app("web").autoSync(false));
        Verdict v = policy.evaluate(plan(ActionTypes.ROLLOUT_RESTART, WEB), ctx());
        assertTrue(v.isAllow(), v.toString());
        Verdict rb = policy.evaluate(plan(ActionTypes.ROLLBACK_DEPLOYMENT, WEB), ctx());
        assertTrue(rb.isDeny());
        assertTrue(rb.reasons().get(0).contains("next sync reverts it"), rb.reasons().toString());
    }

    @Test
    void aPodIsRoutedThroughItsDeployment() {
        Verdict v = policy.evaluate(plan(ActionTypes.SCALE, ResourceRef.of("Pod", "default", "web-7d-abc")), ctx());
        assertTrue(v.isDeny());
        assertTrue(v.reasons().get(0).contains("through Deployment/default/web"), v.reasons().toString());
    }

    @Test
    void whenItCannotTellItAsksForApproval() {
        ResourceRef ghost = ResourceRef.of("Deployment", "default", "ghost");
        Verdict v = policy.evaluate(plan(ActionTypes.SCALE, ghost), ctx(ghost, Set.of()));
        assertInstanceOf(Verdict.RequireApproval.class, v);
        assertTrue(v.reasons().get(0).contains("cannot tell"), v.reasons().toString());
    }

    @Test
    void rollbackDeploymentIsReplacedByArgoRollback() {
        assertTrue(policy instanceof PlanRewriter);
        Optional<ProposedAction> r = policy.rewrite(plan(ActionTypes.ROLLBACK_DEPLOYMENT, WEB), ctx());
        assertTrue(r.isPresent());
        assertEquals(ActionTypes.ARGOCD_ROLLBACK, r.get().actionType());
        assertEquals(WEB, r.get().target());
        assertEquals(0.9, r.get().confidence());
        assertTrue(r.get().rationale().contains("routed through Argo CD"), r.get().rationale());
        assertTrue(policy.evaluate(r.get(), ctx()).isAllow(), "the replacement passes this policy");
    }

    @Test
    void otherLiveChangesBecomeASyncOnlyWhenTheAppDrifted() {
        assertTrue(policy.rewrite(plan(ActionTypes.SCALE, WEB), ctx()).isEmpty(), "Synced app: the fix belongs in Git");
        apps(app("web").autoSync(false).sync("OutOfSync", "abc"));
        Optional<ProposedAction> r = policy.rewrite(plan(ActionTypes.SCALE, WEB), ctx());
        assertEquals(ActionTypes.ARGOCD_SYNC, r.orElseThrow().actionType());
        assertTrue(policy.rewrite(plan(ActionTypes.ROLLOUT_RESTART, WEB), ctx()).isEmpty());
    }

    @Test
    void noReplacementWhenTheArgoActionIsNotRegisteredOrTheTargetUnmanaged() {
        assertTrue(policy.rewrite(plan(ActionTypes.ROLLBACK_DEPLOYMENT, WEB), ctx(WEB, Set.of())).isEmpty());
        assertTrue(policy.rewrite(plan(ActionTypes.ROLLBACK_DEPLOYMENT, PLAIN), ctx(PLAIN,
                Set.of(ActionTypes.ARGOCD_ROLLBACK))).isEmpty());
        assertTrue(policy.rewrite(plan(ActionTypes.RESTART_POD, WEB), ctx()).isEmpty());
    }
}

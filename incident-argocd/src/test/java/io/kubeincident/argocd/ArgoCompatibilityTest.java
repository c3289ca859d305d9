package io.kubeincident.argocd;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.argocd.client.ArgoCdClient;
import io.kubeincident.spi.Detector;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.context.ListClusterView;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.kit.DetectorCompatibilityKit;
import io.kubeincident.testkit.kit.RemediationActionCompatibilityKit;
import io.kubeincident.testkit.kit.SafetyPolicyCompatibilityKit;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.kubeincident.argocd.ArgoStub.app;
import static io.kubeincident.argocd.ArgoStub.json;

/** This module's workers pass the testkit's compatibility kits, as a third-party provider would. */
class ArgoCompatibilityTest {
    private static final String APP = "/api/v1/applications/web";
    private static final String LONG_AGO = TestContexts.NOW.minus(Duration.ofHours(3)).toString();
    private static final String RECENT = TestContexts.NOW.minus(Duration.ofMinutes(10)).toString();

    /** A stub answering the application list and the app, and an ArgoCd on the kit's fixed clock. */
    static final class Fixture {
        final ArgoStub stub = new ArgoStub();
        final ArgoCd argo;

        Fixture() {
            ArgoCdConfig cfg = stub.argoConfig(Map.of());
            argo = new ArgoCd(cfg, new ArgoCdClient(cfg, d -> { }), TestContexts.CLOCK);
        }

        ProviderContext providerContext(ApiClient client) {
            var b = TestContexts.provider().config(stub.config());
            return client == null ? b.build() : b.apiClient(client).build();
        }

        void close() {
            argo.close();
            stub.close();
        }
    }

    static V1Deployment deployment(String name, String app) {
        Map<String, String> labels = Map.of("app", name);
        V1ObjectMeta meta = new V1ObjectMeta().name(name).namespace("default");
        if (app != null) meta.labels(Map.of("app", name, "app.kubernetes.io/instance", app));
        return new V1Deployment().apiVersion("apps/v1").kind("Deployment").metadata(meta)
                .spec(new V1DeploymentSpec().replicas(1).selector(new V1LabelSelector().matchLabels(labels))
                        .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(labels))
                                .spec(new V1PodSpec().addContainersItem(new V1Container().name("app").image("web:1")))));
    }

    @Nested
    class Detection extends DetectorCompatibilityKit {
        Fixture f;

        @BeforeEach
        void start() {
            f = new Fixture();
            f.stub.server.stubFor(get(urlPathEqualTo("/api/v1/applications")).willReturn(json(200, ArgoStub.list(
                    app("web").sync("Synced", "bad").health("Degraded", "crash", RECENT)
                            .history(1, "good", LONG_AGO, "a").history(2, "bad", RECENT, "b"),
                    app("api")))));
            f.argo.apps().refresh();
        }

        @AfterEach
        void stop() {
            f.close();
        }

        protected Detector detector() {
            return new ArgoDegradedDetector(f.argo);
        }

        protected Class<? extends DetectorProvider> providerClass() {
            return ArgoDegradedDetectorProvider.class;
        }

        protected ProviderContext providerContext() {
            return f.providerContext(null);
        }

        protected List<KubernetesObject> healthyObjects() {
            return List.of(deployment("api", "api"), deployment("plain", null), deployment("helm", "not-an-argo-app"));
        }

        protected List<KubernetesObject> unhealthyObjects() {
            return List.of(deployment("web", "web"));
        }
    }

    @Nested
    class Routing extends SafetyPolicyCompatibilityKit {
        Fixture f;

        @BeforeEach
        void start() {
            f = new Fixture();
            f.stub.server.stubFor(get(urlPathEqualTo("/api/v1/applications")).willReturn(json(200, ArgoStub.list(app("web")))));
            f.argo.apps().refresh();
        }

        @AfterEach
        void stop() {
            f.close();
        }

        protected SafetyPolicy policy() {
            return new GitOpsRoutingPolicy(f.argo);
        }

        protected Class<? extends SafetyPolicyProvider> providerClass() {
            return GitOpsRoutingPolicyProvider.class;
        }

        protected ProviderContext providerContext() {
            return f.providerContext(null);
        }

        /** Deployment default/web carries the tracking label of the known application web: live changes are denied. */
        protected List<Restricted> mustRestrict() {
            ResourceRef web = ResourceRef.of("Deployment", "default", "web");
            List<Restricted> cases = new java.util.ArrayList<>();
            for (String type : List.of(ActionTypes.ROLLBACK_DEPLOYMENT, ActionTypes.SCALE)) {
                ProposedAction a = new ProposedAction(type, web,
                        type.equals(ActionTypes.SCALE) ? Map.of("replicas", 2) : Map.of(), 0.95, "kit");
                cases.add(Restricted.deny("a live " + type + " of an Argo-managed Deployment", a, TestContexts.safety()
                        .cluster(ListClusterView.of(deployment("web", "web")))
                        .incident(TestContexts.incident(IncidentTypes.CRASH_LOOP, web))
                        .actions(new ActionDescriptor(type, "kit", Set.of("Deployment"), Map.of("type", "object")))
                        .build()));
            }
            return cases;
        }
    }

    /** Shared set-up of the two action kits: an Argo-managed Deployment on the loopback API server. */
    abstract static class ActionKit extends RemediationActionCompatibilityKit {
        Fixture f;

        @BeforeEach
        void start() {
            f = new Fixture();
        }

        @AfterEach
        void stop() {
            f.close();
        }

        protected ProviderContext providerContext(ApiClient client) {
            return f.providerContext(client);
        }

        protected ActionRequest prepare(ApiClient client) throws Exception {
            new AppsV1Api(client).createNamespacedDeployment("default", deployment("web", "web")).execute();
            return request(ResourceRef.of("Deployment", "default", "web"), Map.of());
        }
    }

    @Nested
    class Sync extends ActionKit {
        @BeforeEach
        void stubs() {
            f.stub.server.stubFor(post(urlPathEqualTo(APP + "/sync")).willReturn(json(200, app("web"))));
            f.stub.server.stubFor(get(urlPathEqualTo(APP)).willReturn(json(200, app("web").sync("Synced", "abc")
                    .history(1, "abc", LONG_AGO, "a").operation("Succeeded", "abc", "ok", LONG_AGO, LONG_AGO))));
        }

        protected RemediationAction action() {
            return new ArgoSyncAction(f.argo, d -> { });
        }

        protected Class<? extends RemediationActionProvider> providerClass() {
            return ArgoSyncActionProvider.class;
        }
    }

    @Nested
    class Rollback extends ActionKit {
        @BeforeEach
        void stubs() {
            ArgoStub.App broken = app("web").sync("Synced", "bad").health("Degraded", "crash", RECENT)
                    .history(1, "good", LONG_AGO, "a").history(2, "bad", RECENT, "b");
            ArgoStub.App rolledBack = app("web").sync("OutOfSync", "bad")
                    .history(1, "good", LONG_AGO, "a").history(2, "bad", RECENT, "b").history(3, "good", RECENT, "kube-incident")
                    .operation("Succeeded", "good", "ok", RECENT, RECENT);
            f.stub.server.stubFor(get(urlPathEqualTo(APP)).inScenario("app").whenScenarioStateIs(Scenario.STARTED)
                    .willReturn(json(200, broken)));
            f.stub.server.stubFor(get(urlPathEqualTo(APP)).inScenario("app").whenScenarioStateIs("rolled-back")
                    .willReturn(json(200, rolledBack)));
            // Argo CD's dry run changes nothing; a real rollback moves the app on.
            f.stub.server.stubFor(post(urlPathEqualTo(APP + "/rollback")).atPriority(1)
                    .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.dryRun",
                            com.github.tomakehurst.wiremock.client.WireMock.equalTo("true")))
                    .willReturn(json(200, broken)));
            f.stub.server.stubFor(post(urlPathEqualTo(APP + "/rollback")).atPriority(2).inScenario("app")
                    .willSetStateTo("rolled-back").willReturn(json(200, broken)));
        }

        protected RemediationAction action() {
            return new ArgoRollbackAction(f.argo, d -> { });
        }

        protected Class<? extends RemediationActionProvider> providerClass() {
            return ArgoRollbackActionProvider.class;
        }
    }
}

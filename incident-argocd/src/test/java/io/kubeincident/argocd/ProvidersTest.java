package io.kubeincident.argocd;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.ConfigView;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.DetectorProvider;
import io.kubeincident.spi.EvidenceContributorProvider;
import io.kubeincident.spi.OutcomeHistory;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.spi.Reversible;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.spi.SupportsDryRun;
import io.kubernetes.client.openapi.ApiClient;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The providers are found through ServiceLoader, stay off without configuration and share one ArgoCd. */
class ProvidersTest {

    private static ProviderContext context(Map<String, String> config) {
        return new ProviderContext() {
            public ConfigView config() {
                return ConfigView.of(config);
            }

            public Optional<ApiClient> apiClient() {
                return Optional.empty();
            }

            public Clock clock() {
                return Clock.systemUTC();
            }

            public ClusterView cluster() {
                return new FakeCluster();
            }

            public OutcomeHistory outcomes() {
                return OutcomeHistory.none();
            }
        };
    }

    private static <T> List<T> load(Class<T> type) {
        return ServiceLoader.load(type).stream().map(ServiceLoader.Provider::get).collect(Collectors.toList());
    }

    @Test
    void everyProviderIsRegistered() {
        assertTrue(load(DetectorProvider.class).stream().anyMatch(p -> p instanceof ArgoDegradedDetectorProvider));
        assertTrue(load(SafetyPolicyProvider.class).stream().anyMatch(p -> p instanceof GitOpsRoutingPolicyProvider));
        assertTrue(load(EvidenceContributorProvider.class).stream().anyMatch(p -> p instanceof ArgoEvidenceContributorProvider));
        Set<Class<?>> actions = load(RemediationActionProvider.class).stream().map(Object::getClass).collect(Collectors.toSet());
        assertTrue(actions.containsAll(Set.of(ArgoSyncActionProvider.class, ArgoRollbackActionProvider.class)), actions.toString());
    }

    @Test
    void offWithoutAServerUrl() {
        ProviderContext none = context(Map.of());
        assertFalse(new ArgoDegradedDetectorProvider().enabled(none));
        assertFalse(new ArgoSyncActionProvider().enabled(none));
        assertFalse(new ArgoRollbackActionProvider().enabled(none));
        assertFalse(new GitOpsRoutingPolicyProvider().enabled(none));
        assertFalse(new ArgoEvidenceContributorProvider().enabled(none));
    }

    @Test
    void workersShareOneInstanceAndDescribeThemselves() {
        ProviderContext ctx = context(Map.of("argocd.server_url", "http://127.0.0.1:9", "argocd.token", "t"));
        assertTrue(new ArgoSyncActionProvider().enabled(ctx));
        RemediationAction sync = new ArgoSyncActionProvider().create(ctx);
        RemediationAction rollback = new ArgoRollbackActionProvider().create(ctx);
        assertEquals(ActionTypes.ARGOCD_SYNC, sync.id());
        assertEquals(ActionTypes.ARGOCD_ROLLBACK, rollback.id());
        assertTrue(sync instanceof Reversible && sync instanceof SupportsDryRun);
        assertTrue(rollback instanceof Reversible && rollback instanceof SupportsDryRun);
        assertEquals(false, sync.parametersSchema().get("additionalProperties"));
        assertEquals(false, rollback.parametersSchema().get("additionalProperties"));
        assertTrue(sync.targetKinds().containsAll(Set.of("Deployment", "Application", "ConfigMap")));
        assertEquals("gitops-routing", new GitOpsRoutingPolicyProvider().create(ctx).id());
        assertEquals("argocd-degraded", new ArgoDegradedDetectorProvider().create(ctx).id());
        assertEquals("argocd-evidence", new ArgoEvidenceContributorProvider().create(ctx).id());
        assertSame(ArgoCd.shared(ctx), ArgoCd.shared(ctx));
        ArgoCd.shared(ctx).close();
    }

    @Test
    void badConfigurationFailsCreationListingEveryProblem() {
        ProviderContext bad = context(Map.of("argocd.server_url", "http://127.0.0.1:9", "argocd.max_retries", "x",
                "argocd.insecure", "maybe"));
        ArgoCdConfigException e = assertThrows(ArgoCdConfigException.class, () -> new ArgoSyncActionProvider().create(bad));
        assertEquals(3, e.problems().size(), e.problems().toString());
    }
}

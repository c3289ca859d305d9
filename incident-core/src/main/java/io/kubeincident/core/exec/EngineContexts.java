package io.kubeincident.core.exec;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.AnalysisProvenance;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Incident;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.correlate.OwnerChains;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.ActionHistory;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.OutcomeHistory;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.SafetyContext;
import io.kubernetes.client.openapi.ApiClient;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The engine's implementations of the SPI context interfaces. */
public final class EngineContexts {
    private EngineContexts() {
    }

    public record Provider(ConfigView config, Optional<ApiClient> apiClient, Clock clock,
                           Supplier<ClusterView> clusterSupplier, OutcomeHistory outcomes) implements ProviderContext {
        @Override
        public ClusterView cluster() {
            return clusterSupplier.get();
        }
    }

    public record Detection(ClusterView cluster, ConfigView config, Clock clock) implements DetectionContext {
    }

    /**
     * @param provenance the diagnosis behind the plan and the independent second opinion (issue 15's
     *                   corroboration); empty when an action is judged outside an analysis (an approval)
     */
    public record Safety(Incident incident, Map<String, ActionDescriptor> descriptors, boolean dryRun,
                         ClusterView cluster, ConfigView config, Clock clock, ActionHistory history,
                         Optional<AnalysisProvenance> provenance)
            implements SafetyContext {

        public Safety {
            provenance = provenance == null ? Optional.empty() : provenance;
        }

        /** Outside an analysis: no provenance. */
        public Safety(Incident incident, Map<String, ActionDescriptor> descriptors, boolean dryRun, ClusterView cluster,
                      ConfigView config, Clock clock, ActionHistory history) {
            this(incident, descriptors, dryRun, cluster, config, clock, history, Optional.empty());
        }

        @Override
        public Optional<ActionDescriptor> action(String actionType) {
            return Optional.ofNullable(descriptors.get(actionType));
        }

        @Override
        public List<ResourceRef> ownerChain(ResourceRef ref) {
            return OwnerChains.chain(ref, cluster);
        }
    }

    public record Action(ApiClient apiClient, ClusterView cluster, ConfigView config, Clock clock, Incident incident,
                         KubeEvents events) implements ActionContext {
        @Override
        public void recordEvent(ResourceRef target, String type, String reason, String message) {
            events.record(target, type, reason, message);
        }
    }
}

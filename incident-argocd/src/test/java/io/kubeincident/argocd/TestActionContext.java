package io.kubeincident.argocd;

import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.ClusterView;
import io.kubernetes.client.openapi.ApiClient;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An action context over a fake cluster that records the events actions emit. */
final class TestActionContext implements ActionContext {
    final ClusterView cluster;
    final Clock clock;
    final Incident incident;
    final List<String> events = new CopyOnWriteArrayList<>();

    TestActionContext(ClusterView cluster, Clock clock, ResourceRef root) {
        this.cluster = cluster;
        this.clock = clock;
        Instant now = clock.instant();
        this.incident = new Incident("inc-1", "crash-loop:" + root.key(), "crash-loop", Severity.HIGH, root,
                List.of(root), List.of(), IncidentState.OPEN, now, now);
    }

    @Override
    public ApiClient apiClient() {
        return null;
    }

    @Override
    public ClusterView cluster() {
        return cluster;
    }

    @Override
    public ConfigView config() {
        return ConfigView.empty();
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Incident incident() {
        return incident;
    }

    @Override
    public void recordEvent(ResourceRef target, String type, String reason, String message) {
        events.add(target.key() + " " + type + " " + reason + ": " + message);
    }
}

package com.example.host;

import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.PlannedAction;
import io.kubeincident.core.IncidentEngine;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;

import java.nio.file.Path;
import java.util.List;

/** A host that embeds the engine: the triage plugin is found on the class path, nothing is wired by hand. */
public final class TriageHost {
    private TriageHost() {
    }

    // tag::embedding[]
    /**
     * The engine for {@code client}: the host's ordinary client with finite timeouts (what
     * {@code ClientBuilder.standard().build()} or {@code Config.defaultClient()} gives). The engine makes
     * its own watch client (read timeout 0) from it for continuous mode; a host that shares its
     * SharedInformerFactory passes that too, with {@code .informerFactory(factory)}.
     */
    public static IncidentEngine engine(ApiClient client, Path config) {
        return IncidentEngine.builder()
                .apiClient(client)
                .configFile(config)          // invalid configuration: every problem listed at once
                .build();                    // discovers the plugin's detector, action and policy
    }
    // end::embedding[]

    public static void main(String[] args) throws Exception {
        ApiClient client = ClientBuilder.standard().build();
        try (IncidentEngine engine = engine(client, Path.of(args.length > 0 ? args[0] : "kube-incident.yaml"))) {
            List<IncidentReport> reports = engine.scan();             // plans only; executes nothing
            for (IncidentReport r : reports) {
                for (PlannedAction p : r.plan()) {
                    System.out.println(r.incident().type() + " " + p.action().actionType() + " " + p.action().target()
                            + " " + p.decision().id() + " " + p.reasons());
                }
            }
        }
    }
}
